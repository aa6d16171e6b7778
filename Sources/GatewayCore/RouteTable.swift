/// Routes compiled for lookup by host, path and method.
///
/// Precedence, decided once here: routes for an exact host, then for the longest matching
/// wildcard host, then host-less routes; within one host tier an exact path beats a prefix, and a
/// longer prefix beats a shorter one. When a path matches but no route there allows the method,
/// the answer is 405 with the allowed methods, not 404.
public struct RouteTable: Sendable {
    /// Routes of one host tier, indexed by path.
    struct PathTable: Sendable {
        var exact: [String: [Route]] = [:]
        /// Prefix routes, longest prefix first.
        var prefixes: [(prefix: String, routes: [Route])] = []

        mutating func insert(_ route: Route) {
            switch route.path {
            case .exact(let p): exact[p, default: []].append(route)
            case .prefix(let p):
                if let i = prefixes.firstIndex(where: { $0.prefix == p }) {
                    prefixes[i].routes.append(route)
                } else {
                    prefixes.append((p, [route]))
                    prefixes.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
                }
            }
        }

        var isEmpty: Bool { exact.isEmpty && prefixes.isEmpty }
    }

    /// All routes in configuration order.
    public let routes: [Route]
    private var exactHosts: [String: PathTable] = [:]
    /// Wildcard tiers, longest suffix first.
    private var wildcardHosts: [(suffix: String, table: PathTable)] = []
    private var anyHost = PathTable()

    public init(routes: [Route]) {
        self.routes = routes
        for route in routes {
            if route.hosts.isEmpty {
                anyHost.insert(route)
            }
            for host in route.hosts {
                switch host {
                case .exact(let name): exactHosts[name, default: PathTable()].insert(route)
                case .wildcard(let suffix):
                    if let i = wildcardHosts.firstIndex(where: { $0.suffix == suffix }) {
                        wildcardHosts[i].table.insert(route)
                    } else {
                        var table = PathTable()
                        table.insert(route)
                        wildcardHosts.append((suffix, table))
                        wildcardHosts.sort { $0.suffix.utf8.count > $1.suffix.utf8.count }
                    }
                }
            }
        }
    }

    /// Finds the route for a normalised host (lower case, no port) and path.
    public func match(host: String, path: Substring, method: String) -> RouteMatch {
        var allowed: Set<String>? = nil
        if let table = exactHosts[host], let found = Self.match(table, path: path, method: method, allowed: &allowed) {
            return .matched(found)
        }
        for (suffix, table) in wildcardHosts where HostPattern.wildcard(suffix: suffix).matches(host) {
            if let found = Self.match(table, path: path, method: method, allowed: &allowed) {
                return .matched(found)
            }
        }
        if let found = Self.match(anyHost, path: path, method: method, allowed: &allowed) {
            return .matched(found)
        }
        if let allowed {
            return .methodNotAllowed(allowed: allowed.sorted())
        }
        return .notFound
    }

    private static func match(_ table: PathTable, path: Substring, method: String, allowed: inout Set<String>?) -> Route? {
        if table.isEmpty { return nil }
        if let candidates = table.exact[String(path)], let route = pick(candidates, method: method, allowed: &allowed) {
            return route
        }
        for entry in table.prefixes where path.hasPrefix(entry.prefix) {
            if let route = pick(entry.routes, method: method, allowed: &allowed) { return route }
        }
        return nil
    }

    private static func pick(_ candidates: [Route], method: String, allowed: inout Set<String>?) -> Route? {
        for route in candidates {
            guard let methods = route.methods else { return route }
            if methods.contains(method) { return route }
            allowed = (allowed ?? []).union(methods)
        }
        return nil
    }
}

public enum RouteMatch: Sendable {
    case matched(Route)
    case methodNotAllowed(allowed: [String])
    case notFound
}
