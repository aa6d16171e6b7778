import GatewayCore
import GatewayPolicies
import NIOCore

extension PlanCompiler {
    static let actions = ["proxy", "respond", "redirect"]
    static let proxyOnly = ["strip_prefix", "rewrite", "host_header", "websocket", "websocket_idle_timeout"]
    /// How long a WebSocket tunnel may be silent when the route does not say.
    static let defaultWebSocketIdleTimeout = TimeAmount.minutes(5)
    static let respondOnly = ["content_type"]

    /// Routes in configuration order, and the names of the upstreams they use.
    mutating func compileRoutes(
        _ directives: [Directive], upstreams: [String: UpstreamSpec], policies: PolicyDefaults, rateLimits: [String: RateLimitSpec]
    ) -> ([Route], Set<String>) {
        var routes: [Route] = []
        var used: Set<String> = []
        var usedCORS: Set<String> = []
        var usedJWT: Set<String> = []
        var usedLimits: Set<String> = []
        var usedCaches: Set<String> = []
        defer {
            warnUnused(rateLimits, used: usedLimits)
            warnUnused(policies.caches, used: usedCaches)
        }
        for d in directives where d.name == "route" {
            guard let block = d.block else { continue }
            let path = value(d, 0, ValueParser.pathPattern)
            let hosts = first("host", in: block).map { host in host.arguments.indices.compactMap { value(host, $0, ValueParser.hostPattern) } } ?? []
            // `cache_purge` admits PURGE on a route that lists its methods.
            let methods = first("methods", in: block).map { compileMethods($0).union(first("cache_purge", in: block) == nil ? [] : ["PURGE"]) }
            if let name = first("proxy", in: block)?.arguments.first?.text { used.insert(name) }
            let action = compileAction(d, block: block, path: path, upstreams: upstreams)
            let (edgeRequestPolicies, edgeResponsePolicies) = compileRoutePolicies(block, defaults: policies, usedCORS: &usedCORS, usedJWT: &usedJWT)
            let limits = compileRateLimitPolicies(block, limits: rateLimits, used: &usedLimits)
            let cache = compileRouteCache(block, defaults: policies, used: &usedCaches)
            guard let path, let action else { continue }
            // DESIGN.md's order: limits → CORS preflight → IP rules → JWT, then rate limits (which
            // may key on the JWT subject), then the cache lookup. Responses: compression, then
            // the cache store (which keeps what compression made, and none of the per-request
            // headers that follow), rate-limit headers, CORS, security headers.
            let rateLimitHeaders: [any ResponsePolicy] = 
                limits.contains { $0.spec.headers } ? [RateLimitHeadersPolicy(limits: limits.map(\.spec))] : []
            let compression: [any ResponsePolicy] = compileRouteCompression(block, defaults: policies).map { [CompressionPolicy(config: $0)] } ?? []
            let route = Route(
                hosts: hosts, path: path, methods: methods, action: action,
                requestPolicies: edgeRequestPolicies + limits + (cache.map { [$0] } ?? []),
                responsePolicies: compression + (cache.map { [$0] } ?? []) + rateLimitHeaders + edgeResponsePolicies,
                location: d.location)
            if let earlier = routes.first(where: { Self.overlap($0, route) }) {
                error(
                    d.location, "route", "duplicate route '\(path)' (\(Self.describeOverlap(earlier, route)))",
                    hint: "the route at \(earlier.location.map(String.init(describing:)) ?? "?") already matches these requests; give one of them other 'host' or 'methods', or merge them")
                continue
            }
            routes.append(route)
        }
        for (name, named) in policies.cors.sorted(by: { $0.key < $1.key }) where !usedCORS.contains(name) {
            warn(named.location, "cors", "cors policy '\(name)' is not used by any route", hint: "remove it, or 'cors \(name);' in a route")
        }
        for (name, named) in policies.jwt.sorted(by: { $0.key < $1.key }) where !usedJWT.contains(name) {
            warn(named.location, "jwt", "jwt issuer '\(name)' is not used by any route", hint: "remove it, or 'auth jwt \(name);' in a route")
        }
        return (routes, used)
    }

    /// The method set: upper-cased, and GET brings HEAD (a HEAD is a GET without the body).
    func compileMethods(_ d: Directive) -> Set<String> {
        var methods = Set(d.arguments.indices.compactMap { value(d, $0, ValueParser.method) })
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods
    }

    private mutating func compileAction(
        _ route: Directive,
        block: [Directive],
        path: PathPattern?,
        upstreams: [String: UpstreamSpec]
    ) -> RouteAction? {
        let actions = block.filter { Self.actions.contains($0.name) }
        guard let action = actions.first else {
            // An unknown directive there (a misspelt action, most likely) is reported already.
            if block.contains(where: { Schema.gateway.spec($0.name, in: .route) == nil }) { return nil }
            error(route.location, "route", "route '\(route.arguments.first?.text ?? "")' has no action", hint: "expected one of: proxy, respond, redirect")
            return nil
        }
        for extra in actions.dropFirst() where extra.name != action.name {
            error(
                extra.location, extra.name, "route already has the action '\(action.name)' at \(action.location)",
                hint: "a route does exactly one of: proxy, respond, redirect")
        }
        for d in block where Self.proxyOnly.contains(d.name) && action.name != "proxy" {
            error(d.location, d.name, "'\(d.name)' applies only to routes that proxy", hint: "this route's action is '\(action.name)' at \(action.location)")
        }
        for d in block where Self.respondOnly.contains(d.name) && action.name != "respond" {
            error(d.location, d.name, "'\(d.name)' applies only to routes that respond", hint: "this route's action is '\(action.name)' at \(action.location)")
        }
        switch action.name {
        case "proxy": return compileProxy(action, block: block, path: path, upstreams: upstreams)
        case "respond": return compileRespond(action, block: block)
        default: return compileRedirect(action)
        }
    }

    private mutating func compileProxy(_ d: Directive, block: [Directive], path: PathPattern?, upstreams: [String: UpstreamSpec]) -> RouteAction? {
        guard let name = value(d, 0, ValueParser.name) else { return nil }
        guard upstreams[name] != nil else {
            let defined = upstreams.keys.sorted()
            let hint = defined.isEmpty
                ? "no upstream is defined; add 'upstream \(name) { server HOST:PORT; }'"
                : Suggestion.hint(for: name, among: defined)
            error(d.arguments[0].location, "proxy", "unknown upstream '\(name)'", hint: hint)
            return nil
        }
        var target = ProxyTarget(upstream: name)
        if let strip = first("strip_prefix", in: block) {
            guard let prefix = value(strip, 0, ValueParser.pathPrefix) else { return nil }
            if let path {
                let routePath = switch path {
                case .exact(let p), .prefix(let p): p
                }
                if !routePath.hasPrefix(prefix) {
                    error(
                        strip.arguments[0].location, "strip_prefix", "'\(prefix)' is not a prefix of the route path '\(path)'",
                        hint: "it would not apply to every request of this route")
                }
            }
            target.stripPrefix = prefix
        }
        if let rewrite = first("rewrite", in: block) {
            guard let template = value(rewrite, 0, { ValueParser.template($0, allowed: ["path"]) }) else { return nil }
            if case .literal(let text) = template.pieces.first, !text.hasPrefix("/") {
                error(rewrite.arguments[0].location, "rewrite", "rewritten path '\(template)' must start with '/' or '{path}'")
            }
            target.rewrite = template
        }
        if let host = first("host_header", in: block) {
            guard let value = value(host, 0, ValueParser.headerValue) else { return nil }
            target.hostHeader = value
        }
        let websocket = first("websocket", in: block)
        let idle = first("websocket_idle_timeout", in: block)
        if let websocket, value(websocket, 0, { ValueParser.keyword($0, among: ["on", "off"]) }) == "on" {
            target.websocketIdleTimeout = Self.defaultWebSocketIdleTimeout
            if let idle, let amount = value(idle, 0, { ValueParser.duration($0) }) { target.websocketIdleTimeout = amount }
        } else if let idle {
            error(idle.location, "websocket_idle_timeout", "this route does not tunnel WebSocket upgrades", hint: "add 'websocket on;' to the route")
        }
        return .proxy(target)
    }

    private mutating func compileRespond(_ d: Directive, block: [Directive]) -> RouteAction? {
        guard let status = value(d, 0, { ValueParser.status($0, allowed: 100...599) }) else { return nil }
        var response = StaticResponse(status: status)
        if d.arguments.count > 1 {
            if (100...199).contains(status) || status == 204 || status == 304 {
                error(d.arguments[1].location, "respond", "a \(status) response cannot have a body", hint: "remove the body, or use another status")
                return nil
            }
            response.body = d.arguments[1].text
        }
        if let type = first("content_type", in: block) {
            guard let value = value(type, 0, ValueParser.mediaType) else { return nil }
            response.contentType = value
        }
        return .respond(response)
    }

    private func compileRedirect(_ d: Directive) -> RouteAction? {
        guard let status = value(d, 0, { ValueParser.status($0, among: [301, 302, 303, 307, 308]) }),
            let location = value(d, 1, { ValueParser.template($0) })
        else { return nil }
        return .redirect(Redirect(status: status, location: location))
    }

    /// Two routes are duplicates when one request could match both with neither winning by
    /// precedence: same path pattern, a host pattern in common (or both for any host), and a
    /// method in common (or either for any method).
    static func overlap(_ a: Route, _ b: Route) -> Bool {
        guard a.path == b.path else { return false }
        let hostsOverlap = (a.hosts.isEmpty && b.hosts.isEmpty) || !Set(a.hosts).isDisjoint(with: b.hosts)
        guard hostsOverlap else { return false }
        switch (a.methods, b.methods) {
        case (let x?, let y?): return !x.isDisjoint(with: y)
        default: return true
        }
    }

    static func describeOverlap(_ a: Route, _ b: Route) -> String {
        let hosts = a.hosts.isEmpty ? "any host" : "host " + a.hosts.filter(b.hosts.contains).map(\.description).joined(separator: ", ")
        let methods: String
        switch (a.methods, b.methods) {
        case (let x?, let y?): methods = "method " + x.intersection(y).sorted().joined(separator: ", ")
        case (let x?, nil), (nil, let x?): methods = "method " + x.sorted().joined(separator: ", ")
        case (nil, nil): methods = "any method"
        }
        return "\(hosts), \(methods)"
    }
}
