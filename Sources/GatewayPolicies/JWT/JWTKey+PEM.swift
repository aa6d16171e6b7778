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
        guard pem.contains("-----BEGIN ") else { throw JWTKeyError("not a PEM document (no '-----BEGIN' line)") }
        if let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) { return JWTKey(.rsa(key), kid: kid) }
        if let key = try? P256.Signing.PublicKey(pemRepresentation: pem) { return JWTKey(.p256(key), kid: kid) }
        if let key = try? P384.Signing.PublicKey(pemRepresentation: pem) { return JWTKey(.p384(key), kid: kid) }
        if let der = pemBody(pem), der.count == ed25519SPKIPrefix.count + 32, Array(der.prefix(ed25519SPKIPrefix.count)) == ed25519SPKIPrefix,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32))
        {
            return JWTKey(.ed25519(key), kid: kid)
        }
        if (try? _RSA.Signing.PublicKey(unsafePEMRepresentation: pem)) != nil {
            throw JWTKeyError("RSA keys must have at least 2048 bits")
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
