import GatewayCore
import GatewayPolicies

/// The policy settings of the top level, which every route inherits and may extend.
struct PolicyDefaults {
    var headLimits = HeadLimits()
    var bodyBytes = RequestLimits.defaultBodyBytes
    var securityHeaders = SecurityHeaders.builtIn
    var ipRules = IPRuleList(rules: [])
    /// The mode of the top-level `allow`/`deny` rules (`ip_rules_mode`), kept in every route.
    var ipRulesMode = PolicyMode.enforce
    /// Named CORS policies (`cors NAME { … }`), referenced by routes.
    var cors: [String: (config: CORSConfig, location: SourceLocation)] = [:]
    /// Token issuers (`jwt NAME { … }`), referenced by routes' `auth jwt NAME...`.
    var jwt: [String: (issuer: JWTIssuer, location: SourceLocation)] = [:]
    /// Names of `jwt` blocks that failed to compile (already reported; references stay quiet).
    var invalidJWT: Set<String> = []
    /// Names of CORS policies that failed to compile (already reported; references stay quiet).
    var invalidCORS: Set<String> = []
    /// Compression for every route (top-level `compress { … }`); `nil` when not configured.
    var compression: CompressionConfig?
    /// Response caches (`cache NAME { … }`), referenced by routes' `cache NAME;`.
    var caches: [String: (cache: ResponseCache, location: SourceLocation)] = [:]
    /// Names of `cache` blocks that failed to compile (already reported; references stay quiet).
    var invalidCaches: Set<String> = []
}
