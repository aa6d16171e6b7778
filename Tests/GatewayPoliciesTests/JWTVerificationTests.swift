import Crypto
import GatewayCore
import GatewayPolicies
import NIOHTTP1
import Synchronization
import Testing
import _CryptoExtras

@Suite struct JWTVerificationTests {
    static func issuer(_ algorithms: [JWTAlgorithm], keys: [JWTKey], jwks: JWKSKeySource? = nil) -> JWTIssuer {
        JWTIssuer(
            name: "main", issuer: "https://issuer.test", audiences: ["api"], algorithms: algorithms,
            staticKeys: JWTKeySet(keys: keys), jwks: jwks, clockSkewSeconds: 30,
            forwardClaims: [ClaimForward(claim: "sub", header: "X-User"), ClaimForward(claim: "roles", header: "X-Roles")])
    }

    static func verify(_ token: String, with issuer: JWTIssuer, at now: Int64 = TestSigner.now) -> JWTIssuer.Verification {
        do {
            return issuer.verify(try JWTToken(compact: Substring(token)), now: now)
        } catch {
            return .failed(error)
        }
    }

    static func failure(_ v: JWTIssuer.Verification) -> JWTFailure? {
        if case .failed(let f) = v { return f }
        return nil
    }

    @Test(arguments: JWTAlgorithm.allCases)
    func everyAlgorithmVerifies(_ algorithm: JWTAlgorithm) {
        let issuer = Self.issuer([algorithm], keys: [TestSigner.publicKey(for: algorithm)])
        let token = TestSigner.token(algorithm, claims: TestSigner.claims())
        guard case .verified(let claims) = Self.verify(token, with: issuer) else {
            Issue.record("\(algorithm) did not verify")
            return
        }
        #expect(claims["sub"] == .string("user-1"))
        // Tampered payload: the same signature over other claims.
        let parts = token.split(separator: ".")
        let forged = parts[0] + "." + Base64URL.encode(Array(TestSigner.claims(extra: #""admin":true"#).utf8)) + "." + parts[2]
        #expect(Self.failure(Self.verify(String(forged), with: issuer)) == .badSignature)
        // Tampered signature.
        var signature = Base64URL.decode(String(parts[2]))!
        signature[signature.count / 2] ^= 0x01
        #expect(Self.failure(Self.verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature), with: issuer)) == .badSignature)
    }

    struct Claims: Sendable, CustomTestStringConvertible {
        var name: String
        var claims: String
        var failure: JWTFailure?
        var testDescription: String { name }
    }

    static let claimCases: [Claims] = [
        Claims(name: "valid", claims: TestSigner.claims(), failure: nil),
        Claims(name: "expired", claims: TestSigner.claims(exp: TestSigner.now - 31), failure: .expired),
        Claims(name: "expired within skew", claims: TestSigner.claims(exp: TestSigner.now - 29), failure: nil),
        Claims(name: "exp exactly now minus skew", claims: TestSigner.claims(exp: TestSigner.now - 30), failure: .expired),
        Claims(name: "exp missing", claims: TestSigner.claims(exp: nil), failure: .missingExp),
        Claims(name: "exp not a number", claims: TestSigner.claims(exp: nil, extra: #""exp":"soon""#), failure: .malformed),
        Claims(name: "not yet valid", claims: TestSigner.claims(extra: #""nbf":\#(TestSigner.now + 31)"#), failure: .notYetValid),
        Claims(name: "nbf within skew", claims: TestSigner.claims(extra: #""nbf":\#(TestSigner.now + 29)"#), failure: nil),
        Claims(name: "issued in the future", claims: #"{"iss":"https://issuer.test","aud":"api","exp":\#(TestSigner.now + 600),"iat":\#(TestSigner.now + 120)}"#, failure: .issuedInFuture),
        Claims(name: "wrong issuer", claims: TestSigner.claims(iss: "https://other.test"), failure: .wrongIssuer),
        Claims(name: "issuer prefix", claims: TestSigner.claims(iss: "https://issuer.test.evil"), failure: .wrongIssuer),
        Claims(name: "wrong audience", claims: TestSigner.claims(aud: #""other""#), failure: .wrongAudience),
        Claims(name: "audience array", claims: TestSigner.claims(aud: #"["other","api"]"#), failure: nil),
        Claims(name: "audience array without ours", claims: TestSigner.claims(aud: #"["other","apix"]"#), failure: .wrongAudience),
        Claims(name: "audience missing", claims: #"{"iss":"https://issuer.test","exp":\#(TestSigner.now + 60)}"#, failure: .wrongAudience),
    ]

    @Test(arguments: claimCases)
    func claimsAreChecked(_ c: Claims) {
        let issuer = Self.issuer([.ES256], keys: [TestSigner.publicKey(for: .ES256)])
        let result = Self.verify(TestSigner.token(.ES256, claims: c.claims), with: issuer)
        #expect(Self.failure(result) == c.failure)
    }

    @Test func algorithmMustBeAllowedAndMatchTheKey() {
        let claims = TestSigner.claims()
        let rsOnly = Self.issuer([.RS256], keys: [TestSigner.publicKey(for: .RS256)])
        #expect(Self.failure(Self.verify(TestSigner.token(.HS256, claims: claims), with: rsOnly)) == .algNotAllowed)
        #expect(Self.failure(Self.verify(TestSigner.token(.RS384, claims: claims), with: rsOnly)) == .algNotAllowed)
        #expect(Self.failure(Self.verify(TestSigner.token(header: #"{"alg":"HS1"}"#, claims: claims, algorithm: "HS256"), with: rsOnly)) == .algNotAllowed)
        // Both allowed, but only an RSA key configured: an HS256 token finds no key.
        let mixed = Self.issuer([.RS256, .HS256], keys: [TestSigner.publicKey(for: .RS256)])
        #expect(Self.failure(Self.verify(TestSigner.token(.HS256, claims: claims), with: mixed)) == .noMatchingKey)
    }

    @Test func publicKeyUsedAsHMACSecretIsRefused() throws {
        // The classic confusion: sign HS256 with the issuer's public key bytes as the secret.
        let pem = TestSigner.rsa.publicKey.pemRepresentation
        let input = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8)) + "." + Base64URL.encode(Array(TestSigner.claims().utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(pem.utf8)))
        let forged = input + "." + Base64URL.encode(Array(mac))
        let rsaKey = try JWTKey.publicKey(pem: pem)
        for algorithms in [[JWTAlgorithm.RS256], [.RS256, .HS256]] {
            let failure = Self.failure(Self.verify(forged, with: Self.issuer(algorithms, keys: [rsaKey])))
            #expect(failure == .algNotAllowed || failure == .noMatchingKey)
        }
        let ecPEM = TestSigner.p256.publicKey.pemRepresentation
        let ecKey = try JWTKey.publicKey(pem: ecPEM)
        #expect(!ecKey.verify(Array(mac), over: ArraySlice(input.utf8), algorithm: .HS256))
    }

    @Test func keyIDsSelectKeys() {
        let source = JWKSKeySource(url: "http://127.0.0.1:1/jwks", refreshInterval: .seconds(60), cooldownSeconds: 0)
        let issuer = Self.issuer([.ES256], keys: [], jwks: source)
        let token = TestSigner.token(.ES256, kid: "k1", claims: TestSigner.claims())
        guard case .keysUnavailable = Self.verify(token, with: issuer) else {
            Issue.record("a JWKS never loaded must answer keysUnavailable")
            return
        }
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k0","x":"\#(Base64URL.encode(TestSigner.p256.publicKey.x963Representation.dropFirst().prefix(32)))","y":"\#(Base64URL.encode(TestSigner.p256.publicKey.x963Representation.suffix(32)))"}]}"#
        #expect(throws: Never.self) { try source.install(.init(string: jwks)) }
        let asked = Mutex(0)
        source.onRefreshRequested { asked.withLock { $0 += 1 } }
        #expect(Self.failure(Self.verify(token, with: issuer)) == .unknownKid)
        #expect(asked.withLock { $0 } == 1)
        let k0 = TestSigner.token(.ES256, kid: "k0", claims: TestSigner.claims())
        guard case .verified = Self.verify(k0, with: issuer) else {
            Issue.record("kid k0 must verify")
            return
        }
        // A failed fetch keeps the last good key set.
        source.fetchFailed("connection refused")
        guard case .verified = Self.verify(k0, with: issuer) else {
            Issue.record("the last good key set must stay in use")
            return
        }
    }

    @Test func earlyRefreshesAreRateLimited() {
        let source = JWKSKeySource(url: "http://127.0.0.1:1/jwks", refreshInterval: .seconds(60), cooldownSeconds: 30)
        #expect(!source.requestRefresh(now: 100), "no fetcher attached")
        source.onRefreshRequested {}
        #expect(source.requestRefresh(now: 100))
        #expect(!source.requestRefresh(now: 129))
        #expect(source.requestRefresh(now: 130))
    }

    @Test func rfc7515HS256Example() throws {
        // RFC 7515 Appendix A.1: the HMAC key as a JWK, the example token (expired in 2011).
        let key = try #require(try JWTKey.from(jwk: ["kty": .string("oct"), "k": .string("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")]))
        let compact = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let token = try JWTToken(compact: Substring(compact))
        #expect(token.claims["iss"] == .string("joe"))
        #expect(token.claims["http://example.com/is_root"] == .bool(true))
        let issuer = JWTIssuer(name: "rfc", issuer: "joe", algorithms: [.HS256], staticKeys: JWTKeySet(keys: [key]), clockSkewSeconds: 0)
        guard case .verified = issuer.verify(token, now: 1_300_819_379) else {
            Issue.record("RFC 7515 A.1 must verify before its expiry")
            return
        }
        #expect(Self.failure(issuer.verify(token, now: 1_300_819_380)) == .expired)
    }

    @Test func rfc8037Ed25519Example() throws {
        // RFC 8037 Appendix A.4/A.5: the Ed25519 public key and the example signature.
        let key = try #require(try JWTKey.from(jwk: ["kty": .string("OKP"), "crv": .string("Ed25519"), "x": .string("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")]))
        let input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
        let signature = try #require(Base64URL.decode("hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"))
        #expect(key.verify(signature, over: ArraySlice(input.utf8), algorithm: .EdDSA))
        #expect(!key.verify(signature, over: ArraySlice((input + "x").utf8), algorithm: .EdDSA))
    }

    @Test func pemKeysLoadAndPrivateKeysAreRefused() throws {
        #expect(try JWTKey.publicKey(pem: TestSigner.rsa.publicKey.pemRepresentation).kind == .rsa)
        #expect(try JWTKey.publicKey(pem: TestSigner.p256.publicKey.pemRepresentation).kind == .p256)
        #expect(try JWTKey.publicKey(pem: TestSigner.p384.publicKey.pemRepresentation).kind == .p384)
        let edPEM = "-----BEGIN PUBLIC KEY-----\n" + Base64.standard([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + Array(TestSigner.ed25519.publicKey.rawRepresentation)) + "\n-----END PUBLIC KEY-----\n"
        #expect(try JWTKey.publicKey(pem: edPEM).kind == .ed25519)
        #expect(throws: JWTKeyError.self) { try JWTKey.publicKey(pem: TestSigner.p256.pemRepresentation) }
        #expect(throws: JWTKeyError.self) { try JWTKey.publicKey(pem: "not a key") }
        let small = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        #expect(throws: JWTKeyError("RSA keys must have at least 2048 bits")) { try JWTKey.publicKey(pem: small.publicKey.pemRepresentation) }
    }
}

/// Padded standard base64, for building PEM text in tests.
enum Base64 {
    static func standard(_ bytes: [UInt8]) -> String {
        var text = Base64URL.encode(bytes).replacingDashes()
        while text.utf8.count % 4 != 0 { text += "=" }
        return text
    }
}

extension String {
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
    }
}
