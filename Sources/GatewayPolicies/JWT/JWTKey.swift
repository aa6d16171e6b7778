import Crypto
import _CryptoExtras

/// One verification key: its material, an optional key id, and the one algorithm it may be used
/// with when its JWK says so (`alg`).
public struct JWTKey: Sendable {
    // The swift-crypto key types are immutable values (BoringSSL keys only read while verifying)
    // that do not declare Sendable in this version; they are never mutated after parsing.
    public enum Material: @unchecked Sendable {
        case hmac(SymmetricKey)
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    public let material: Material
    public let kid: String?
    public let algorithm: JWTAlgorithm?

    public init(_ material: Material, kid: String? = nil, algorithm: JWTAlgorithm? = nil) {
        self.material = material
        self.kid = kid
        self.algorithm = algorithm
    }

    /// An HMAC secret (HS256/384/512), as configured: its bytes are the key.
    public static func hmac(secret: [UInt8], kid: String? = nil) -> JWTKey {
        JWTKey(.hmac(SymmetricKey(data: secret)), kid: kid)
    }

    public var kind: JWTAlgorithm.KeyKind {
        switch material {
        case .hmac: .hmac
        case .rsa: .rsa
        case .p256: .p256
        case .p384: .p384
        case .ed25519: .ed25519
        }
    }

    /// Whether the key may verify `algorithm`: the right kind of key, and the key's own `alg`
    /// (if any) agrees.
    public func supports(_ algorithm: JWTAlgorithm) -> Bool {
        algorithm.keyKind == kind && (self.algorithm == nil || self.algorithm == algorithm)
    }

    /// Verifies `signature` over `input` (the ASCII of `header.payload`). Constant-time for HMAC.
    public func verify(_ signature: [UInt8], over input: ArraySlice<UInt8>, algorithm: JWTAlgorithm) -> Bool {
        guard supports(algorithm) else { return false }
        switch (material, algorithm) {
        case (.hmac(let key), .HS256): return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key)
        case (.hmac(let key), .HS384): return HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: input, using: key)
        case (.hmac(let key), .HS512): return HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: input, using: key)
        case (.rsa(let key), _):
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch algorithm {
            case .RS256: return key.isValidSignature(rsaSignature, for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
            case .RS384: return key.isValidSignature(rsaSignature, for: SHA384.hash(data: input), padding: .insecurePKCS1v1_5)
            case .RS512: return key.isValidSignature(rsaSignature, for: SHA512.hash(data: input), padding: .insecurePKCS1v1_5)
            case .PS256: return key.isValidSignature(rsaSignature, for: SHA256.hash(data: input), padding: .PSS)
            default: return false
            }
        case (.p256(let key), .ES256):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: input)
        case (.p384(let key), .ES384):
            guard let ecdsa = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: input)
        case (.ed25519(let key), .EdDSA):
            return key.isValidSignature(signature, for: input)
        default:
            return false
        }
    }
}
