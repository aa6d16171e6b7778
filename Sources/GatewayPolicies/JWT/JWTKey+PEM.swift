import Crypto
import _CryptoExtras

extension JWTKey {
    /// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the key's 32 bytes follow.
    static let ed25519SPKIPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// A public key from PEM (`-----BEGIN PUBLIC KEY-----`, or `RSA PUBLIC KEY`): RSA of at
    /// least 2048 bits, P-256, P-384 or Ed25519. Private keys are refused: the gateway only
    /// verifies, and a private key in its configuration is a leak waiting to happen.
    public static func publicKey(pem: String, kid: String? = nil) throws(JWTKeyError) -> JWTKey {
        if pem.contains("PRIVATE KEY") {
            throw JWTKeyError("the PEM holds a private key; give the gateway the public key only")
        }
        guard pem.contains("-----BEGIN "), let der = pemBody(pem) else {
            throw JWTKeyError("not a PEM document (no '-----BEGIN' line)")
        }
        // The key type is read from the algorithm identifier first and only the matching parser
        // runs.
        switch SPKIKind(pem: pem, der: der) {
        case .rsa:
            // Built from the modulus and exponent: swift-crypto 3.x frees a key twice when its
            // own DER parse fails, so malformed RSA input never reaches that parser.
            guard let (n, e) = RSAPublicKeyDER.components(of: der) else { break }
            guard RSAPublicKeyDER.bitCount(n) >= 2048 else { throw JWTKeyError("RSA keys must have at least 2048 bits") }
            if let key = try? _RSA.Signing.PublicKey(n: n, e: e) { return JWTKey(.rsa(key), kid: kid) }
        case .p256:
            if let key = try? P256.Signing.PublicKey(pemRepresentation: pem) { return JWTKey(.p256(key), kid: kid) }
        case .p384:
            if let key = try? P384.Signing.PublicKey(pemRepresentation: pem) { return JWTKey(.p384(key), kid: kid) }
        case .ed25519:
            if let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) {
                return JWTKey(.ed25519(key), kid: kid)
            }
        case .unknown:
            break
        }
        throw JWTKeyError("not an RSA, P-256, P-384 or Ed25519 public key")
    }

    /// The DER bytes of the first PEM block.
    static func pemBody(_ pem: String) -> [UInt8]? {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") }),
            let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END ") })
        else { return nil }
        let base64 = lines[(begin + 1)..<end].joined()
        return Base64.decode(base64)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" || c == "\r" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s = s.dropLast() }
        return s
    }
}

/// The key type named by a public key's DER (SubjectPublicKeyInfo, or PKCS#1 for
/// `RSA PUBLIC KEY`), found by its algorithm object identifiers.
enum SPKIKind {
    case rsa, p256, p384, ed25519, unknown

    static let rsaEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    static let ecPublicKey: [UInt8] = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
    static let prime256v1: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    static let secp384r1: [UInt8] = [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]

    init(pem: String, der: [UInt8]) {
        if pem.contains("-----BEGIN RSA PUBLIC KEY-----") || Self.contains(der, Self.rsaEncryption) {
            self = .rsa
        } else if Self.contains(der, Self.ecPublicKey) {
            self = Self.contains(der, Self.prime256v1) ? .p256 : Self.contains(der, Self.secp384r1) ? .p384 : .unknown
        } else if der.count == JWTKey.ed25519SPKIPrefix.count + 32, Array(der.prefix(JWTKey.ed25519SPKIPrefix.count)) == JWTKey.ed25519SPKIPrefix {
            self = .ed25519
        } else {
            self = .unknown
        }
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
