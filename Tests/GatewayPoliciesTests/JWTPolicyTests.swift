import GatewayCore
import GatewayPolicies
import NIOHTTP1
import Testing

@Suite struct JWTPolicyTests {
    static let issuer = JWTIssuer(
        name: "main", issuer: "https://issuer.test", audiences: ["api"], algorithms: [.ES256],
        staticKeys: JWTKeySet(keys: [TestSigner.publicKey(for: .ES256)]),
        forwardClaims: [ClaimForward(claim: "sub", header: "X-User"), ClaimForward(claim: "roles", header: "X-Roles")],
        cookie: "session")

    static func evaluate(_ policy: JWTPolicy, headers: [(String, String)]) -> (PolicyDecision, RequestContext) {
        var request = TestRequest.context(.GET, "/", headers: headers, at: TestSigner.now)
        let decision = policy.evaluate(&request, on: TestRequest.loop)
        return (decision, request)
    }

    static let valid = TestSigner.token(.ES256, claims: TestSigner.claims(extra: #""roles":["a","b"],"scope":"read write""#))

    @Test func validTokenForwardsClaimsAndStripsClientCopies() {
        let (decision, request) = Self.evaluate(
            JWTPolicy(issuers: [Self.issuer]), headers: [("Authorization", "Bearer \(Self.valid)"), ("X-User", "admin"), ("x-roles", "root")])
        #expect(decision.proceeds)
        #expect(request.upstreamHeaders["X-User"] == ["user-1"])
        #expect(request.upstreamHeaders["X-Roles"] == ["a,b"])
    }

    @Test func clientCopiesAreStrippedEvenWhenRejected() {
        let (decision, request) = Self.evaluate(JWTPolicy(issuers: [Self.issuer]), headers: [("X-User", "admin")])
        #expect(decision.rejection == .missingToken)
        #expect(request.upstreamHeaders["X-User"].isEmpty)
    }

    @Test(arguments: [
        ([("Authorization", "Bearer a.b.c"), ("Authorization", "Bearer a.b.c")], GatewayError.invalidAuthRequest(reason: "duplicate_authorization")),
        ([("Authorization", "Basic dXNlcjpwYXNz")], .invalidAuthRequest(reason: "not_bearer")),
        ([("Authorization", "Bearer\ta.b.c")], .invalidAuthRequest(reason: "not_bearer")),
        ([("Authorization", "Bearerxa.b.c")], .invalidAuthRequest(reason: "not_bearer")),
        ([("Authorization", "Bearer ")], .invalidAuthRequest(reason: "not_bearer")),
        ([("Authorization", "BEARER not-a-jwt")], .invalidToken(reason: "malformed")),
        ([("Authorization", "Bearer a b")], .invalidAuthRequest(reason: "malformed_authorization")),
        ([("Authorization", "Bearer   ")], .invalidAuthRequest(reason: "malformed_authorization")),
        ([("Authorization", "Bearer a.b.é")], .invalidAuthRequest(reason: "malformed_authorization")),
        ([("Authorization", "bearer   not-a-jwt")], .invalidToken(reason: "malformed")),
        ([("Authorization", "Bearer not-a-jwt")], .invalidToken(reason: "malformed")),
        ([("Cookie", "session=x.y.z; session=a.b.c")], .invalidAuthRequest(reason: "duplicate_cookie")),
        ([("Cookie", "other=1")], .missingToken),
    ] as [([(String, String)], GatewayError)])
    func credentialsAreFoundStrictly(_ headers: [(String, String)], _ error: GatewayError) {
        #expect(Self.evaluate(JWTPolicy(issuers: [Self.issuer]), headers: headers).0.rejection == error)
    }

    @Test func cookieCarriesTheTokenAndTheHeaderWins() {
        #expect(Self.evaluate(JWTPolicy(issuers: [Self.issuer]), headers: [("Cookie", "theme=dark; session=\(Self.valid)")]).0.proceeds)
        let header = Self.evaluate(JWTPolicy(issuers: [Self.issuer]), headers: [("Authorization", "Bearer bad"), ("Cookie", "session=\(Self.valid)")])
        #expect(header.0.rejection == .invalidToken(reason: "malformed"))
    }

    @Test func scopesAndRouteClaims() {
        let bearer = [("Authorization", "Bearer \(Self.valid)")]
        #expect(Self.evaluate(JWTPolicy(issuers: [Self.issuer], requiredScopes: ["read"]), headers: bearer).0.proceeds)
        #expect(Self.evaluate(JWTPolicy(issuers: [Self.issuer], requiredScopes: ["read", "admin"]), headers: bearer).0.rejection == .insufficientScope(required: "read admin"))
        #expect(Self.evaluate(JWTPolicy(issuers: [Self.issuer], requiredClaims: [ClaimRequirement(name: "roles", values: ["b"])]), headers: bearer).0.proceeds)
        #expect(
            Self.evaluate(JWTPolicy(issuers: [Self.issuer], requiredClaims: [ClaimRequirement(name: "roles", values: ["c"])]), headers: bearer).0.rejection
                == .invalidToken(reason: "claim_mismatch"))
        #expect(
            Self.evaluate(JWTPolicy(issuers: [Self.issuer], requiredClaims: [ClaimRequirement(name: "tenant")]), headers: bearer).0.rejection
                == .invalidToken(reason: "missing_claim"))
    }

    @Test func severalIssuersAreChosenByIss() {
        var other = Self.issuer
        other.name = "other"
        other.issuer = "https://other.test"
        other.algorithms = [.EdDSA]
        other.staticKeys = JWTKeySet(keys: [TestSigner.publicKey(for: .EdDSA)])
        let policy = JWTPolicy(issuers: [Self.issuer, other])
        let fromOther = TestSigner.token(.EdDSA, claims: TestSigner.claims(iss: "https://other.test"))
        #expect(Self.evaluate(policy, headers: [("Authorization", "Bearer \(fromOther)")]).0.proceeds)
        #expect(Self.evaluate(policy, headers: [("Authorization", "Bearer \(Self.valid)")]).0.proceeds)
        let unknown = TestSigner.token(.EdDSA, claims: TestSigner.claims(iss: "https://third.test"))
        #expect(Self.evaluate(policy, headers: [("Authorization", "Bearer \(unknown)")]).0.rejection == .invalidToken(reason: "unknown_issuer"))
        // An EdDSA token claiming the ES256-only issuer is refused by that issuer's rules.
        let confused = TestSigner.token(.EdDSA, claims: TestSigner.claims())
        #expect(Self.evaluate(policy, headers: [("Authorization", "Bearer \(confused)")]).0.rejection == .invalidToken(reason: "alg_not_allowed"))
    }

    @Test func rejectionsCarryTheBearerChallenge() {
        #expect(GatewayError.invalidToken(reason: "expired").wwwAuthenticate == #"Bearer realm="gateway", error="invalid_token""#)
        #expect(GatewayError.invalidToken(reason: "expired").status == .unauthorized)
        #expect(GatewayError.invalidToken(reason: "expired").message == "invalid or expired token")
        #expect(GatewayError.insufficientScope(required: "admin").status == .forbidden)
        #expect(GatewayError.authKeysUnavailable(issuer: "main").status == .serviceUnavailable)
        let response = GatewayResponse.error(.missingToken, requestID: "r1")
        #expect(response.headers["WWW-Authenticate"] == [#"Bearer realm="gateway""#])
    }
}
