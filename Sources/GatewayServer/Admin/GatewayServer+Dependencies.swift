import GatewayCore
import GatewayPolicies

extension GatewayServer {
    /// The Redis store and JWKS URLs of the serving plan with their state (see
    /// ``DependencyStatus`` for which failures make the gateway not ready).
    func dependencies() -> [DependencyStatus] {
        let plan = self.plan
        let now = WallClock.now()
        var out: [DependencyStatus] = []
        if let redis = plan.redis, let health = rateLimits.health(of: redis) {
            let limits = plan.rateLimits.values.filter { $0.store == .redis }.sorted { $0.name < $1.name }
            let closed = limits.contains { $0.onStoreError == .closed }
            out.append(
                DependencyStatus(
                    kind: .redis, name: redis.description, state: health.up ? "up" : "down", failing: !health.up, required: closed,
                    blocksReadiness: !health.up && closed,
                    details: [
                        #""connections":\#(health.connected)"#,
                        #""since":"\#(WallClock.rfc3339(health.sinceMillis))""#,
                        #""last_error":\#(health.lastError.map(AdminResponse.quoted) ?? "null")"#,
                        #""limits":[\#(limits.map { AdminResponse.quoted($0.name) }.joined(separator: ","))]"#,
                    ]))
        }
        let statuses = documents.status
        for (issuer, source) in Self.jwksIssuers(plan) {
            let status = statuses[source.url]
            let keys = source.keys?.keys.count
            let state = keys == nil ? "never" : (status?.lastFetchSucceeded == false ? "stale" : "ok")
            let age = status?.lastSuccessMillis.map { String(Double(max(0, now - $0)) / 1000) } ?? "null"
            let required = issuer.map { $0.staticKeys.keys.isEmpty } ?? false
            out.append(
                DependencyStatus(
                    kind: .jwks, name: LogRedaction.url(source.url), state: state, failing: state != "ok", required: required,
                    blocksReadiness: state == "never" && required,
                    details: [
                        #""issuer":\#(issuer.map { AdminResponse.quoted($0.name) } ?? "null")"#,
                        #""keys":\#(keys ?? 0)"#,
                        #""age_seconds":\#(age)"#,
                        #""last_error":\#(state == "ok" ? "null" : status?.lastError.map(AdminResponse.quoted) ?? "null")"#,
                    ]))
        }
        return out
    }

    /// Each JWKS URL source of the plan with the issuer a route uses it through (`nil` when no
    /// route names that issuer), in the plan's order.
    static func jwksIssuers(_ plan: GatewayPlan) -> [(JWTIssuer?, JWKSKeySource)] {
        var used: [ObjectIdentifier: JWTIssuer] = [:]
        for route in plan.routes.routes {
            for case let policy as JWTPolicy in route.requestPolicies {
                for issuer in policy.issuers {
                    if let jwks = issuer.jwks { used[ObjectIdentifier(jwks)] = issuer }
                }
            }
        }
        return plan.remoteDocuments.compactMap { source in
            guard let jwks = source as? JWKSKeySource else { return nil }
            return (used[ObjectIdentifier(jwks)], jwks)
        }
    }
}
