/// The JWS algorithms the gateway verifies (RFC 7518 §3, RFC 8037). `none` is not one of them
/// and never will be.
public enum JWTAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case HS256, HS384, HS512
    case RS256, RS384, RS512
    case PS256
    case ES256, ES384
    case EdDSA

    /// The kind of key an algorithm needs; a key of another kind is never tried, which rules out
    /// key confusion (an RSA public key used as an HMAC secret).
    public enum KeyKind: String, Sendable, Hashable {
        case hmac, rsa, p256, p384, ed25519
    }

    public var keyKind: KeyKind {
        switch self {
        case .HS256, .HS384, .HS512: .hmac
        case .RS256, .RS384, .RS512, .PS256: .rsa
        case .ES256: .p256
        case .ES384: .p384
        case .EdDSA: .ed25519
        }
    }

    /// The shortest HMAC secret that gives the algorithm its full strength (RFC 7518 §3.2: at
    /// least the hash output size); `nil` for asymmetric algorithms.
    public var minimumSecretBytes: Int? {
        switch self {
        case .HS256: 32
        case .HS384: 48
        case .HS512: 64
        default: nil
        }
    }

    public var description: String { rawValue }
}
