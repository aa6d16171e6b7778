import GatewayCore

/// What a reload from one plan to another would change, entity by entity and route by route
/// (`gateway check --diff OLD NEW`, or against the running gateway's plan with `gateway check
/// --diff-running`), with what the running gateway does about each change.
/// Routes are matched by path, hosts and methods; everything is compared on the lines of
/// ``PlanDump``, so the diff shows exactly what the dump would, source locations aside.
public enum PlanDiff {
    public static func render(from old: GatewayPlan, to new: GatewayPlan) -> String {
        render(from: PlanOutline(old), to: PlanOutline(new))
    }

    /// The diff between two outlines: of two files, or of the plan a running gateway serves
    /// (``PlanOutline`` from its admin listener) and a file.
    public static func render(from old: PlanOutline, to new: PlanOutline) -> String {
        var out: [String] = []
        var changes = 0

        let settings = lineChanges(old.settings, new.settings)
        if !settings.isEmpty {
            out.append("settings:")
            out += settings.map { "  " + $0 }
            changes += settings.count
            for name in restartOnlyChanges(from: old, to: new) { out.append("  ! \(name) changes only on restart") }
        }

        let removedListeners = old.listeners.filter { !new.listeners.contains($0) }
        let addedListeners = new.listeners.filter { !old.listeners.contains($0) }
        if !removedListeners.isEmpty || !addedListeners.isEmpty {
            out.append("listeners:")
            for l in addedListeners { out.append("  + \(l.address) \(l.scheme) (bound on reload)") }
            for l in removedListeners { out.append("  - \(l.address) \(l.scheme) (stops accepting; open connections finish)") }
            changes += removedListeners.count + addedListeners.count
        }

        let upstreams = keyed(old.upstreams, new.upstreams, lines: { $0 }, changedNote: { _, _ in "new pools; in-flight requests finish on the old ones" })
        if !upstreams.lines.isEmpty {
            out.append("upstreams:")
            out += upstreams.lines
            changes += upstreams.count
        }

        let limits = keyed(
            old.rateLimits, new.rateLimits, lines: \.lines,
            changedNote: { a, b in a.buckets == b.buckets ? "buckets kept" : "buckets start afresh" })
        if !limits.lines.isEmpty {
            out.append("rate_limits:")
            out += limits.lines
            changes += limits.count
        }

        let caches = keyed(
            old.caches, new.caches, lines: { [$0] },
            changedNote: { _, _ in "starts empty; in-flight requests finish on the old one" })
        if !caches.lines.isEmpty {
            out.append("caches:")
            out += caches.lines
            changes += caches.count
        }

        let oldRoutes = Dictionary(old.routes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newRoutes = Dictionary(new.routes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var routeLines: [String] = []
        var unchanged = 0
        for route in new.routes {
            guard let before = oldRoutes[route.name] else {
                routeLines.append("  + \(route.name) (\(route.location))")
                routeLines += route.body.map { "      " + $0 }
                continue
            }
            let diff = lineChanges(before.body, route.body)
            if diff.isEmpty {
                unchanged += 1
            } else {
                routeLines.append("  ~ \(route.name) (\(route.location))")
                routeLines += diff.map { "      " + $0 }
            }
        }
        for route in old.routes where newRoutes[route.name] == nil {
            routeLines.append("  - \(route.name) (was \(route.location))")
        }
        changes += routeLines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("      ") }.count
        out.append("routes:" + (routeLines.isEmpty ? " no changes" : ""))
        out += routeLines
        if unchanged > 0 { out.append("  = \(unchanged) unchanged") }

        out.append(
            changes == 0
                ? "summary: no changes; a reload would only raise the generation"
                : "summary: \(changes) change(s); requests in flight finish on the plan they started with")
        return out.joined(separator: "\n") + "\n"
    }

    /// Settings fixed when the process starts (event loops, the access log file and fields, the
    /// log format): a reload cannot apply them. Log levels do apply on reload.
    /// Only those settings are compared; no whole outline is made (a reload calls this).
    public static func restartOnlyChanges(from old: GatewayPlan, to new: GatewayPlan) -> [String] {
        restartOnlyChanges(from: PlanOutline.restartOnly(old), to: PlanOutline.restartOnly(new))
    }

    static func restartOnlyChanges(from old: PlanOutline, to new: PlanOutline) -> [String] {
        restartOnlyChanges(from: old.restartOnly, to: new.restartOnly)
    }

    private static func restartOnlyChanges(from old: [String: String], to new: [String: String]) -> [String] {
        PlanOutline.restartOnlyNames.filter { old[$0] != new[$0] }
    }

    /// `- line` for each line only in `old`, `+ line` for each only in `new`, in order.
    static func lineChanges(_ old: [String], _ new: [String]) -> [String] {
        old.filter { !new.contains($0) }.map { "- " + $0 } + new.filter { !old.contains($0) }.map { "+ " + $0 }
    }

    static func keyed<Value: Equatable>(
        _ old: [String: Value], _ new: [String: Value], lines: (Value) -> [String], changedNote: (Value, Value) -> String
    ) -> (lines: [String], count: Int) {
        var out: [String] = []
        var count = 0
        for name in Set(old.keys).union(new.keys).sorted() {
            switch (old[name], new[name]) {
            case (nil, let added?):
                out.append("  + \(name)")
                out += lines(added).map { "      " + $0 }
                count += 1
            case (_?, nil):
                out.append("  - \(name)")
                count += 1
            case (let before?, let after?) where before != after:
                out.append("  ~ \(name) (\(changedNote(before, after)))")
                out += lineChanges(lines(before), lines(after)).map { "      " + $0 }
                count += 1
            default:
                break
            }
        }
        return (out, count)
    }
}
