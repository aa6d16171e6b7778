import GatewayCore

/// One trusted token issuer (`jwt NAME { … }`): what its tokens must look like and where its keys
/// come from. Routes name the issuers they accept (`auth jwt NAME...`).
public struct JWTIssuer: Sendable {
    public var name: String
    /// The exact `iss` value tokens carry.
    public var issuer: String
    /// When not empty, a token's `aud` (string or array) must contain one of these.
    public var audiences: [String]
    /// The algorithms accepted from this issuer; a token's `alg` must be one of them.
    public var algorithms: [JWTAlgorithm]
    /// Keys from the configuration: PEM files, secrets, a JWKS file.
    public var staticKeys: JWTKeySet
    /// Keys fetched from a JWKS URL, if configured.
    public var jwks: JWKSKeySource?
    /// Tolerance for clock differences when comparing `exp`, `nbf` and `iat`.
    public var clockSkewSeconds: Int64
    public var requireExp: Bool
    public var requiredClaims: [ClaimRequirement]
    public var forwardClaims: [ClaimForward]
    /// A cookie to take the token from when no `Authorization` header is sent.
    public var cookie: String?
    /// `mode shadow`: routes that accept only this issuer let a request without a valid token
    /// through (forwarding no claims) and record what would have been refused.
    public var mode: PolicyMode
    /// Verified tokens kept per event loop (`token_cache`); `nil` verifies every request.
    public var tokenCache: JWTTokenCacheSettings?

    public init(
        name: String,
        issuer: String,
        audiences: [String] = [],
        algorithms: [JWTAlgorithm],
        staticKeys: JWTKeySet = JWTKeySet(keys: []),
        jwks: JWKSKeySource? = nil,
        clockSkewSeconds: Int64 = 60,
        requireExp: Bool = true,
        requiredClaims: [ClaimRequirement] = [],
        forwardClaims: [ClaimForward] = [],
        cookie: String? = nil,
        mode: PolicyMode = .enforce,
        tokenCache: JWTTokenCacheSettings? = nil
    ) {
        self.name = name
        self.issuer = issuer
        self.audiences = audiences
        self.algorithms = algorithms
        self.staticKeys = staticKeys
        self.jwks = jwks
        self.clockSkewSeconds = clockSkewSeconds
        self.requireExp = requireExp
        self.requiredClaims = requiredClaims
        self.forwardClaims = forwardClaims
        self.cookie = cookie
        self.mode = mode
        self.tokenCache = tokenCache
    }
}
