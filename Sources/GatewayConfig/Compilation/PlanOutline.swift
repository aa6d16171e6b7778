import GatewayCore
import GatewayPolicies

/// What ``PlanDiff`` compares of a plan, as the lines of ``PlanDump``: plain data, so that a
/// running gateway can hand over the outline of the plan it serves (`GET /config/outline` on the
/// admin listener, as JSON) and `gateway check --diff-running` can compare a file with it, with
/// nothing to read again on the running side (keys, certificates, environment).
public struct PlanOutline: Codable, Sendable, Equatable {
    public struct Listener: Codable, Sendable, Equatable {
        public var address: String
        public var scheme: String
        /// Everything that makes two listeners the same: host, port and the dump's lines.
        public var identity: [String]
    }

    public struct RateLimit: Codable, Sendable, Equatable {
        public var lines: [String]
        /// What decides whether a reload keeps the buckets: rate, period, burst, key and store.
        public var buckets: String
    }

    public struct Route: Codable, Sendable, Equatable {
        /// Path, hosts and methods: how routes of two plans are matched.
        public var name: String
        public var location: String
        public var body: [String]
    }

    /// The settings section of the dump (without the file list).
    public var settings: [String]
    /// Settings only a restart applies, by name (``restartOnlyNames``).
    public var restartOnly: [String: String]
    /// The settings a reload cannot apply: event loops, the access log file and fields, the log
    /// format (log levels do apply on reload).
    public static let restartOnlyNames = ["worker_threads", "access_log", "log format"]
    public var listeners: [Listener]
    public var upstreams: [String: [String]]
    public var rateLimits: [String: RateLimit]
    /// Each cache's settings, as the dump describes them (an unchanged cache keeps its entries).
    public var caches: [String: String]
    public var routes: [Route]

    public init(_ plan: GatewayPlan) {
        settings = Self.settingsLines(plan)
        restartOnly = Self.restartOnly(plan)
        listeners = plan.listeners.map { l in
            Listener(
                address: l.displayAddress, scheme: l.scheme,
                identity: ["\(l.displayAddress) (host \(PlanDump.quote(l.host)))"] + PlanDump.listenerLines(l))
        }
        upstreams = plan.upstreams.mapValues(PlanDump.upstreamLines)
        rateLimits = plan.rateLimits.mapValues { limit in
            RateLimit(lines: PlanDump.rateLimitLines(limit), buckets: "\(limit.rateText) burst \(limit.burst) key \(limit.key) store \(limit.store.rawValue)")
        }
        caches = plan.caches.compactMapValues { ($0 as? ResponseCache).map { PlanDump.describe($0.config) } }
        routes = plan.routes.routes.map { route in
            Route(name: route.name, location: PlanDump.at(route.location), body: Self.routeBody(route))
        }
    }

    /// The values of ``restartOnlyNames`` in `plan`, compared by ``PlanDiff``.
    static func restartOnly(_ plan: GatewayPlan) -> [String: String] {
        [
            "worker_threads": plan.settings.workerThreads.map(String.init) ?? "auto",
            "access_log": PlanDump.render(plan.settings.accessLog) + " fields "
                + plan.settings.accessLogFields.map(\.rawValue).joined(separator: " "),
            "log format": "\(plan.settings.logging.format)",
        ]
    }

    static func settingsLines(_ plan: GatewayPlan) -> [String] {
        let all = PlanDump.render(plan).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = all.firstIndex(of: "settings:"), let end = all.firstIndex(of: "listeners:") else { return [] }
        return all[(start + 1)..<end].map { String($0.trimmingPrefix("  ")) }
    }

    static func routeBody(_ route: GatewayCore.Route) -> [String] {
        var lines = PlanDump.policyLines("request policies", route.requestPolicies.map { PlanDump.describe($0) }, indent: "")
        lines += PlanDump.actionLines(route.action)
        lines += PlanDump.policyLines("response policies", route.responsePolicies.map { PlanDump.describe($0) }, indent: "")
        return lines
    }
}
