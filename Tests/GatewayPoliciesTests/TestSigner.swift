import Crypto
import GatewayPolicies
import _CryptoExtras

/// Signs tokens with keys generated in the test process, for every algorithm the gateway
/// verifies.
enum TestSigner {
    // The swift-crypto key types do not declare Sendable; these are created once and only read.
    nonisolated(unsafe) static let hmacSecret = SymmetricKey(data: Array("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".utf8))
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    nonisolated(unsafe) static let p256 = P256.Signing.PrivateKey()
    nonisolated(unsafe) static let p384 = P384.Signing.PrivateKey()
    nonisolated(unsafe) static let ed25519 = Curve25519.Signing.PrivateKey()

    /// The public key matching `algorithm`'s signing key, as the gateway would load it.
    static func publicKey(for algorithm: JWTAlgorithm, kid: String? = nil) -> JWTKey {
        switch algorithm.keyKind {
        case .hmac: JWTKey(.hmac(hmacSecret), kid: kid)
        case .rsa: JWTKey(.rsa(rsa.publicKey), kid: kid)
        case .p256: JWTKey(.p256(p256.publicKey), kid: kid)
        case .p384: JWTKey(.p384(p384.publicKey), kid: kid)
        case .ed25519: JWTKey(.ed25519(ed25519.publicKey), kid: kid)
        }
    }

    static func signature(_ input: [UInt8], algorithm: String) -> [UInt8] {
        switch algorithm {
        case "HS256": Array(HMAC<SHA256>.authenticationCode(for: input, using: hmacSecret))
        case "HS384": Array(HMAC<SHA384>.authenticationCode(for: input, using: hmacSecret))
        case "HS512": Array(HMAC<SHA512>.authenticationCode(for: input, using: hmacSecret))
        case "RS256": Array(try! rsa.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case "RS384": Array(try! rsa.signature(for: SHA384.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case "RS512": Array(try! rsa.signature(for: SHA512.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case "PS256": Array(try! rsa.signature(for: SHA256.hash(data: input), padding: .PSS).rawRepresentation)
        case "ES256": Array(try! p256.signature(for: input).rawRepresentation)
        case "ES384": Array(try! p384.signature(for: input).rawRepresentation)
        case "EdDSA": Array(try! ed25519.signature(for: input))
        default: []
        }
    }

    /// A compact token; `header` is the raw header JSON (so tests can write odd ones).
    static func token(header: String, claims: String, algorithm: String) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        return input + "." + Base64URL.encode(signature(Array(input.utf8), algorithm: algorithm))
    }

    static func token(_ algorithm: JWTAlgorithm, kid: String? = nil, claims: String) -> String {
        let kidField = kid.map { #","kid":"\#($0)""# } ?? ""
        return token(header: #"{"alg":"\#(algorithm)","typ":"JWT"\#(kidField)}"#, claims: claims, algorithm: algorithm.rawValue)
    }

    static let now: Int64 = 1_700_000_000

    static func claims(iss: String = "https://issuer.test", aud: String = #""api""#, exp: Int64? = now + 300, extra: String = "") -> String {
        var fields = [#""iss":"\#(iss)""#, #""aud":\#(aud)"#, #""sub":"user-1""#, #""iat":\#(now - 10)"#]
        if let exp { fields.append(#""exp":\#(exp)"#) }
        if !extra.isEmpty { fields.append(extra) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
