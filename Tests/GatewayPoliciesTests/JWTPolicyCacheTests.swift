import Crypto
import GatewayCore
import GatewayPolicies
import NIOCore
import NIOEmbedded
import Testing

/// The JWT policy with its token cache: a hit skips the signature but not the clock, the issuer
/// or the route; a changed key set and `token_cache off` verify again.
@Suite struct JWTPolicyCacheTests {
    static func issuer(cache: JWTTokenCacheSettings? = JWTTokenCacheSettings(capacity: 16)) -> JWTIssuer {
        JWTIssuer(
            name: "main", issuer: "https://issuer.test", audiences: ["api"], algorithms: [.ES256],
            staticKeys: JWTKeySet(keys: [TestSigner.publicKey(for: .ES256)]), clockSkewSeconds: 60, tokenCache: cache)
    }

    static let token = TestSigner.token(.ES256, claims: TestSigner.claims(extra: #""scope":"read""#))

    static func evaluate(
        _ policy: JWTPolicy, _ token: String, state: NIOLoopBound<PolicyLoopState>, at time: Int64 = TestSigner.now
    ) -> PolicyDecision {
        var request = TestRequest.context(.GET, "/", headers: [("Authorization", "Bearer \(token)")], at: time, loopState: state)
        return policy.evaluate(&request, on: TestRequest.loop)
    }

    /// A loop's state on an embedded loop of the test's own thread (the tests are synchronous).
    static func state() -> NIOLoopBound<PolicyLoopState> { NIOLoopBound(PolicyLoopState(), eventLoop: EmbeddedEventLoop()) }

    @Test func aSecondRequestSkipsTheSignature() throws {
        let issuer = Self.issuer()
        let settings = try #require(issuer.tokenCache)
        let state = Self.state()
        #expect(Self.evaluate(JWTPolicy(issuers: [issuer]), Self.token, state: state).proceeds)
        #expect(JWTPolicy.cache(settings, in: state).count == 1)
        // The same issuer settings without any key: only a cache hit can let the token through.
        var keyless = issuer
        keyless.staticKeys = JWTKeySet(keys: [])
        #expect(Self.evaluate(JWTPolicy(issuers: [keyless]), Self.token, state: state).proceeds)
        // Another loop (another state) has its own cache and verifies.
        #expect(Self.evaluate(JWTPolicy(issuers: [keyless]), Self.token, state: Self.state()).rejection == .invalidToken(reason: "no_matching_key"))
    }

    @Test func aCachedTokenExpiresOnTime() {
        let policy = JWTPolicy(issuers: [Self.issuer()])
        let state = Self.state()
        #expect(Self.evaluate(policy, Self.token, state: state).proceeds)
        #expect(Self.evaluate(policy, Self.token, state: state, at: TestSigner.now + 359).proceeds)
        #expect(Self.evaluate(policy, Self.token, state: state, at: TestSigner.now + 360).rejection == .invalidToken(reason: "expired"))
    }

    @Test func aCachedTokenIsNotYetValidBeforeItsTime() throws {
        // Verified once at a time it was valid; a request stamped earlier (a clock step back)
        // is judged by its own time.
        let claims = TestSigner.claims(extra: #""nbf":\#(TestSigner.now)"#)
        let token = TestSigner.token(.ES256, claims: claims)
        let policy = JWTPolicy(issuers: [Self.issuer()])
        let state = Self.state()
        #expect(Self.evaluate(policy, token, state: state).proceeds)
        #expect(Self.evaluate(policy, token, state: state, at: TestSigner.now - 61).rejection == .invalidToken(reason: "not_yet_valid"))
    }

    @Test func routeChecksRunOnEveryHit() {
        let issuer = Self.issuer()
        let state = Self.state()
        #expect(Self.evaluate(JWTPolicy(issuers: [issuer]), Self.token, state: state).proceeds)
        let admin = JWTPolicy(issuers: [issuer], requiredScopes: ["admin"])
        #expect(Self.evaluate(admin, Self.token, state: state).rejection == .insufficientScope(required: "admin"))
        let tenant = JWTPolicy(issuers: [issuer], requiredClaims: [ClaimRequirement(name: "tenant")])
        #expect(Self.evaluate(tenant, Self.token, state: state).rejection == .invalidToken(reason: "missing_claim"))
    }

    @Test func aRotatedOutKeyStopsValidatingCachedTokens() throws {
        func jwks(_ kid: String, _ key: P256.Signing.PublicKey) -> ByteBuffer {
            let point = key.x963Representation
            let x = Base64URL.encode(point.dropFirst().prefix(32)), y = Base64URL.encode(point.suffix(32))
            return ByteBuffer(string: #"{"keys":[{"kty":"EC","crv":"P-256","kid":"\#(kid)","x":"\#(x)","y":"\#(y)"}]}"#)
        }
        let source = JWKSKeySource(url: "https://keys.test/jwks.json", refreshInterval: .minutes(10), cooldownSeconds: 0)
        try source.install(jwks("k1", TestSigner.p256.publicKey))
        var issuer = Self.issuer()
        issuer.staticKeys = JWTKeySet(keys: [])
        issuer.jwks = source
        let policy = JWTPolicy(issuers: [issuer])
        let token = TestSigner.token(.ES256, kid: "k1", claims: TestSigner.claims())
        let state = Self.state()
        #expect(Self.evaluate(policy, token, state: state).proceeds)
        #expect(Self.evaluate(policy, token, state: state).proceeds)
        let before = source.generation
        // The same document again changes nothing.
        try source.install(jwks("k1", TestSigner.p256.publicKey))
        #expect(source.generation == before)
        try source.install(jwks("k2", P256.Signing.PrivateKey().publicKey))
        #expect(source.generation == before + 1)
        #expect(Self.evaluate(policy, token, state: state).rejection == .invalidToken(reason: "unknown_kid"))
    }

    @Test func tokenCacheOffVerifiesEveryRequest() {
        let state = Self.state()
        #expect(Self.evaluate(JWTPolicy(issuers: [Self.issuer(cache: nil)]), Self.token, state: state).proceeds)
        #expect(state.value.count == 0)
    }

    @Test func failuresAreNotCached() throws {
        let issuer = Self.issuer()
        let settings = try #require(issuer.tokenCache)
        let state = Self.state()
        let expired = TestSigner.token(.ES256, claims: TestSigner.claims(exp: TestSigner.now - 120))
        #expect(Self.evaluate(JWTPolicy(issuers: [issuer]), expired, state: state).rejection == .invalidToken(reason: "expired"))
        var forged = Array(Self.token.utf8)
        forged[forged.count - 2] = forged[forged.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(Self.evaluate(JWTPolicy(issuers: [issuer]), String(decoding: forged, as: UTF8.self), state: state).rejection != nil)
        #expect(JWTPolicy.cache(settings, in: state).count == 0)
    }
}
