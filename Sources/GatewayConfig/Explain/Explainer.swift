import GatewayCore
import GatewayPolicies
import NIOHTTP1

/// What the gateway would do with one request under a plan, step by step, without sending it:
/// validation and normalisation, the route (or 404/405), policies, and the action with the exact
/// upstream request line and `Host`. Backs `gateway explain`.
public enum Explainer {
    /// `url` is absolute (`http://host/path?q`, whose authority becomes `Host` unless a `Host`
    /// header is given) or a request target (`/path?q`, with `Host` from `headers`). The method is
    /// taken in upper case. `client` is the client address rate limits key on (as resolved through
    /// `trusted_proxies`); without it, address buckets show as `ip:-`.
    public static func explain(
        plan: GatewayPlan, method: String, url: String, headers: [(String, String)], client: IPAddress? = nil
    ) -> String {
        let method = method.uppercased()
        var headers = HTTPHeaders(headers)
        var uri = url
        if let (authority, rest) = splitAbsolute(url) {
            uri = rest
            if !headers.contains(name: "host") { headers.add(name: "Host", value: authority) }
        }
        var out: [String] = ["request: \(method) \(uri) HTTP/1.1"]
        for (name, value) in headers { out.append("  \(name): \(value)") }

        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: uri, headers: headers)
        let request: ValidatedRequest
        switch RequestValidator.validate(head) {
        case .success(let validated): request = validated
        case .failure(let error):
            out.append("rejected: \(statusLine(error.status)) (\(error.code)): \(error.logDetail)")
            return finish(out)
        }
        let target = request.target
        out.append("normalised:")
        out.append("  host: \(request.host)")
        out.append("  path: \(target.path)")
        out.append("  query: " + (target.query ?? "(none)"))

        let route: Route
        switch plan.routes.match(host: request.host, path: Substring(target.path), method: method) {
        case .matched(let matched): route = matched
        case .notFound:
            out.append("route: none")
            out.append("result: \(statusLine(GatewayError.noRoute.status)) (\(GatewayError.noRoute.code))")
            return finish(out)
        case .methodNotAllowed(let allowed):
            let error = GatewayError.methodNotAllowed(allowed: allowed)
            out.append("route: none allows \(method)")
            out.append("result: \(statusLine(error.status)) (\(error.code)); Allow: \(allowed.joined(separator: ", "))")
            return finish(out)
        }
        out.append("route: \(route.name) at \(PlanDump.at(route.location))")
        out.append("request policies: " + PlanDump.policies(route.requestPolicies.map(\.name)))
        let context = RequestContext(
            inbound: head, validated: request, route: route, clientAddress: client, requestID: "-", receivedAt: 0,
            upstreamHeaders: HTTPHeaders())
        out += rateLimitLines(route, context: context)
        switch route.action {
        case .proxy(let proxy):
            out.append("action: proxy to upstream \(proxy.upstream)")
            if let upstream = plan.upstreams[proxy.upstream] {
                out.append("  servers: " + upstream.servers.map { "\($0) weight=\($0.weight)" }.joined(separator: ", "))
                out.append("  balance: \(upstream.balance)")
                out.append(
                    "  timeouts: connect \(PlanDump.duration(upstream.connectTimeout)), first byte \(PlanDump.duration(upstream.firstByteTimeout)), idle \(PlanDump.duration(upstream.idleTimeout))")
                out.append(
                    "  keepalive: \(upstream.keepaliveConnections) per event loop for \(PlanDump.duration(upstream.keepaliveTimeout)); connect attempts: \(upstream.maxConnectAttempts)")
                if let check = upstream.healthCheck {
                    out.append("  health_check: " + PlanDump.healthCheckSummary(check) + "; servers it holds down get no request (503 when all are)")
                }
                if let slowStart = upstream.slowStart {
                    out.append("  slow_start: a server back up ramps from 1/10 to its full weight over \(PlanDump.duration(slowStart))")
                }
            } else {
                out.append("  upstream \(proxy.upstream) is not in the plan")
            }
            var upstreamURI = proxy.upstreamPath(for: Substring(target.path))
            if let query = target.query { upstreamURI += "?" + query }
            out.append("  upstream request: \(method) \(upstreamURI) HTTP/1.1")
            out.append("  upstream Host: " + (proxy.hostHeader ?? request.authority))
        case .respond(let response):
            out.append("action: respond")
            out.append("  status: \(statusLine(HTTPResponseStatus(statusCode: response.status)))")
            out.append("  content-type: \(response.contentType)")
            out.append("  body: " + PlanDump.quote(response.body))
        case .redirect(let redirect):
            out.append("action: redirect")
            out.append("  status: \(statusLine(HTTPResponseStatus(statusCode: redirect.status)))")
            out.append("  location: " + redirect.location.render(path: target.path, query: target.query, host: request.host))
        }
        out.append("response policies: " + PlanDump.policies(route.responsePolicies.map(\.name)))
        return finish(out)
    }

    /// The bucket each rate limit of the route takes from, and on what terms.
    static func rateLimitLines(_ route: Route, context: RequestContext) -> [String] {
        route.requestPolicies.compactMap { $0 as? RateLimitPolicy }.map { policy in
            let spec = policy.spec
            let (key, fellBack) = spec.key.bucketKey(for: context)
            var line = "  rate_limit \(spec.name): bucket \(PlanDump.quote(key)) (key \(spec.key)"
            if fellBack {
                line += spec.key == .jwtSubject ? ", no authenticated subject: client_ip" : ", header absent: client_ip"
            }
            line += "), cost \(policy.cost) of burst \(spec.burst) at \(spec.rateText), \(spec.mode.rawValue)"
            if spec.store == .redis {
                line += ", redis key \(PlanDump.quote(spec.redisKey(bucket: key))), on_store_error \(spec.onStoreError.rawValue)"
            } else {
                line += ", local store"
            }
            return line
        }
    }

    private static func finish(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    static func statusLine(_ status: HTTPResponseStatus) -> String { "\(status.code) \(status.reasonPhrase)" }

    /// `http://authority/rest` → (authority, `/rest`); `nil` for anything not absolute.
    static func splitAbsolute(_ url: String) -> (String, String)? {
        let lower = url.lowercased()
        let schemeLength: Int
        if lower.hasPrefix("http://") { schemeLength = 7 } else if lower.hasPrefix("https://") { schemeLength = 8 } else { return nil }
        let rest = url.dropFirst(schemeLength)
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let path = rest[end...]
        return (String(rest[..<end]), path.first == "/" ? String(path) : "/" + path)
    }
}
