import Crypto
import _CryptoExtras

extension JWTKey {
    /// A verification key from a JWK (RFC 7517, RFC 7518 §6, RFC 8037): `RSA`, `EC` (P-256,
    /// P-384), `OKP` (Ed25519) or `oct`. Returns `nil` for a key that is not for signatures
    /// (`use` other than `sig`) or of a kind the gateway does not verify, so a JWKS that also
    /// publishes encryption keys still loads; throws for a signature key that is malformed.
    public static func from(jwk: [String: JSONValue]) throws(JWTKeyError) -> JWTKey? {
        if let use = jwk["use"], use.string != "sig" { return nil }
        let kid = jwk["kid"]?.string
        var algorithm: JWTAlgorithm? = nil
        if let alg = jwk["alg"] {
            guard let name = alg.string, let known = JWTAlgorithm(rawValue: name) else { return nil }
            algorithm = known
        }
        func member(_ name: String) throws(JWTKeyError) -> [UInt8] {
            guard let text = jwk[name]?.string, let bytes = Base64URL.decode(text), !bytes.isEmpty else {
                throw JWTKeyError("JWK \(kid.map { "'\($0)' " } ?? "")has no valid '\(name)'")
            }
            return bytes
        }
        let material: Material
        switch jwk["kty"]?.string {
        case "RSA":
            do {
                material = .rsa(try _RSA.Signing.PublicKey(n: try member("n"), e: try member("e")))
            } catch let error as JWTKeyError {
                throw error
            } catch {
                throw JWTKeyError("JWK \(kid.map { "'\($0)' " } ?? "")is not a usable RSA key (at least 2048 bits)")
            }
        case "EC":
            let crv = jwk["crv"]?.string
            let x = try member("x"), y = try member("y")
            do {
                switch crv {
                case "P-256" where x.count == 32 && y.count == 32: material = .p256(try P256.Signing.PublicKey(x963Representation: [0x04] + x + y))
                case "P-384" where x.count == 48 && y.count == 48: material = .p384(try P384.Signing.PublicKey(x963Representation: [0x04] + x + y))
                case "P-256", "P-384": throw JWTKeyError("JWK \(kid.map { "'\($0)' " } ?? "")has coordinates of the wrong length")
                default: return nil
                }
            } catch let error as JWTKeyError {
                throw error
            } catch {
                throw JWTKeyError("JWK \(kid.map { "'\($0)' " } ?? "")is not a point on \(crv ?? "its curve")")
            }
        case "OKP":
            guard jwk["crv"]?.string == "Ed25519" else { return nil }
            let x = try member("x")
            guard x.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x) else {
                throw JWTKeyError("JWK \(kid.map { "'\($0)' " } ?? "")is not an Ed25519 public key")
            }
            material = .ed25519(key)
        case "oct":
            material = .hmac(SymmetricKey(data: try member("k")))
        default:
            return nil
        }
        let key = JWTKey(material, kid: kid, algorithm: algorithm)
        if let algorithm, !key.supports(algorithm) {
            throw JWTKeyError("JWK \(kid.map { "'\($0)' " } ?? "")says alg \(algorithm) but is a \(key.kind.rawValue) key")
        }
        return key
    }
}
