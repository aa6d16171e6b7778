import GatewayCore
import GatewayPolicies

extension PlanDump {
    /// One line per policy with what it was compiled to, so a dump shows inherited settings.
    static func describe(_ policy: any RequestPolicy) -> String {
        switch policy {
        case let shadow as ShadowPolicy:
            return describe(shadow.inner) + "; mode shadow"
        case let limits as RequestLimitsPolicy:
            var text = "limits: body " + ValueParser.format(bytes: limits.limits.bodyBytes)
            if let head = limits.limits.head { text += ", " + describe(head) }
            return limits.mode == .shadow ? text + "; mode shadow" : text
        case let cors as CORSPolicy:
            return "cors: " + describe(cors.config)
        case let rules as IPRulesPolicy:
            return "ip_rules: " + rules.levels.map { "[\($0)]" }.joined(separator: " then ")
        case let jwt as JWTPolicy:
            var text = "jwt: " + jwt.issuers.map(describe).joined(separator: "; or ")
            if !jwt.requiredScopes.isEmpty { text += "; route scopes " + jwt.requiredScopes.joined(separator: " ") }
            if !jwt.requiredClaims.isEmpty { text += "; route claims " + jwt.requiredClaims.map(\.description).joined(separator: " ") }
            return text
        case let cache as CachePolicy:
            return describe(cache)
        default:
            return policy.name
        }
    }

    static func describe(_ cache: CachePolicy) -> String {
        var text = "cache: " + describe(cache.cache.config)
        if let purgeFrom = cache.purgeFrom { text += ", cache_purge " + purgeFrom.map { $0?.description ?? "all" }.joined(separator: " ") }
        return text
    }

    /// A cache's settings: `NAME max_size …, max_object …, …`.
    static func describe(_ c: CacheConfig) -> String {
        var text = "\(c.name) max_size \(ValueParser.format(bytes: c.maxSize)), max_object \(ValueParser.format(bytes: c.maxObject))"
        text += ", default_ttl " + (c.defaultTTL.map { duration(.seconds($0)) } ?? "off")
        text += ", coalesce_wait " + duration(.seconds(c.coalesceWait))
        if !c.keyHeaders.isEmpty { text += ", key_headers " + c.keyHeaders.joined(separator: " ") }
        return text
    }

    static func describe(_ policy: any ResponsePolicy) -> String {
        switch policy {
        case let headers as SecurityHeadersPolicy: describe(headers)
        case is CORSPolicy: "cors: origin echo, Vary: Origin, upstream Access-Control-* dropped"
        case let cache as CachePolicy: describe(cache)
        case let compression as CompressionPolicy:
            "compress: gzip level \(compression.config.level), min_size \(ValueParser.format(bytes: compression.config.minSize)), types "
                + compression.config.types.joined(separator: " ")
        default: policy.name
        }
    }

    static func describe(_ policy: SecurityHeadersPolicy) -> String {
        "security_headers: " + (policy.headers.rules.isEmpty ? "none" : policy.headers.rules.map(\.description).joined(separator: "; "))
    }

    static func describe(_ head: HeadLimits) -> String {
        "headers \(ValueParser.format(bytes: head.headerBlockBytes)), header_count \(head.headerCount), "
            + "header_field \(ValueParser.format(bytes: head.headerFieldBytes)), target \(ValueParser.format(bytes: head.targetBytes))"
    }

    static func describe(_ config: CORSConfig) -> String {
        var parts = ["origins " + config.origins.map(\.description).joined(separator: " ")]
        parts.append("methods " + (config.methods.isEmpty ? "GET HEAD POST (safelisted)" : config.methods.joined(separator: " ")))
        if !config.allowHeaders.isEmpty { parts.append("allow_headers " + config.allowHeaders.joined(separator: " ")) }
        if !config.exposeHeaders.isEmpty { parts.append("expose_headers " + config.exposeHeaders.joined(separator: " ")) }
        parts.append("credentials " + (config.credentials ? "on" : "off"))
        parts.append("max_age " + duration(.seconds(Int64(config.maxAgeSeconds))))
        return parts.joined(separator: "; ")
    }

    static func describe(_ issuer: JWTIssuer) -> String {
        var parts = ["\(issuer.name) (iss \(quote(issuer.issuer))", "algorithms " + issuer.algorithms.map(\.rawValue).joined(separator: " ")]
        if !issuer.audiences.isEmpty { parts.append("audience " + issuer.audiences.joined(separator: " ")) }
        if !issuer.staticKeys.keys.isEmpty {
            parts.append("keys " + issuer.staticKeys.keys.map { $0.kind.rawValue + ($0.kid.map { "(\($0))" } ?? "") }.joined(separator: " "))
        }
        if let jwks = issuer.jwks {
            var text = "jwks \(LogRedaction.url(jwks.url)) every \(duration(jwks.refreshInterval)), cooldown \(duration(.seconds(jwks.cooldownSeconds)))"
            if jwks.url.lowercased().hasPrefix("https://") { text += ", ca " + (jwks.caFile.map(quote) ?? "system") }
            parts.append(text)
        }
        parts.append("clock_skew " + duration(.seconds(issuer.clockSkewSeconds)))
        parts.append("require_exp " + (issuer.requireExp ? "on" : "off"))
        if !issuer.requiredClaims.isEmpty { parts.append("claims " + issuer.requiredClaims.map(\.description).joined(separator: " ")) }
        if !issuer.forwardClaims.isEmpty { parts.append("forward " + issuer.forwardClaims.map(\.description).joined(separator: ", ")) }
        if let cookie = issuer.cookie { parts.append("cookie " + cookie) }
        parts.append("token_cache " + (issuer.tokenCache.map { "\($0.capacity) per loop" } ?? "off"))
        return parts.joined(separator: ", ") + ")"
    }

    static func policyLines(_ title: String, _ lines: [String], indent: String) -> [String] {
        [indent + title + ":" + (lines.isEmpty ? " none" : "")] + lines.map { indent + "  " + $0 }
    }
}
