import NIOHTTP1

/// What the admin listener does with a request, decided from its method, path and
/// `Authorization` header alone (pure, so it is tested as a table).
enum AdminRoute: Equatable {
    case healthz
    case readyz
    case metrics
    case config
    /// The outline of the serving plan as JSON (``RunningPlanOutline``), for `check --diff-running`.
    case configOutline
    case reload
    /// `POST /cache/purge?url=…|prefix=…[&cache=NAME]`, with the query (after `?`).
    case cachePurge(query: String)
    /// A token is configured and the request did not carry it.
    case unauthorized
    case notFound
    case methodNotAllowed(allow: String)

    /// `/healthz` and `/readyz` stay open so that probes need no secret; everything else wants
    /// `Authorization: Bearer TOKEN` when a token is configured.
    static func decide(method: HTTPMethod, path: String, authorization: String?, token: String?) -> AdminRoute {
        let route: AdminRoute
        let allowed: HTTPMethod
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        switch parts.first.map(String.init) ?? path {
        case "/healthz": (route, allowed) = (.healthz, .GET)
        case "/readyz": (route, allowed) = (.readyz, .GET)
        case "/metrics": (route, allowed) = (.metrics, .GET)
        case "/config": (route, allowed) = (.config, .GET)
        case "/config/outline": (route, allowed) = (.configOutline, .GET)
        case "/reload": (route, allowed) = (.reload, .POST)
        case "/cache/purge": (route, allowed) = (.cachePurge(query: parts.count == 2 ? String(parts[1]) : ""), .POST)
        default: return .notFound
        }
        guard method == allowed || (allowed == .GET && method == .HEAD) else {
            return .methodNotAllowed(allow: allowed == .GET ? "GET, HEAD" : "POST")
        }
        if route == .healthz || route == .readyz { return route }
        if let token, !authorized(authorization, token: token) { return .unauthorized }
        return route
    }

    /// Compares in time independent of where the values differ.
    static func authorized(_ header: String?, token: String) -> Bool {
        guard let header else { return false }
        let given = Array(header.utf8)
        let expected = Array(("Bearer " + token).utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<expected.count {
            difference |= expected[i] ^ (i < given.count ? given[i] : 0)
        }
        return difference == 0
    }
}
