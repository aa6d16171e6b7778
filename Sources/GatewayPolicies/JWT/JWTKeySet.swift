/// The keys of one issuer at one moment: static keys from the configuration, or one JWKS
/// document as fetched. Immutable; a refresh replaces the whole set.
public struct JWTKeySet: Sendable {
    public let keys: [JWTKey]

    public init(keys: [JWTKey]) {
        self.keys = keys
    }

    /// Parses a JWKS document (`{"keys":[…]}`). Keys the gateway cannot use for signatures are
    /// skipped; a document with no usable key at all is an error.
    public init(jwks bytes: [UInt8]) throws(JWTKeyError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw JWTKeyError("JWKS is not valid JSON: \(error.message) at byte \(error.offset)")
        }
        guard case .array(let entries)? = document.object?["keys"] else { throw JWTKeyError("JWKS has no 'keys' array") }
        var keys: [JWTKey] = []
        for entry in entries {
            guard let jwk = entry.object else { throw JWTKeyError("JWKS 'keys' holds a non-object") }
            if let key = try JWTKey.from(jwk: jwk) { keys.append(key) }
        }
        guard !keys.isEmpty else { throw JWTKeyError("JWKS holds no signature key the gateway can use") }
        self.keys = keys
    }

    /// Keys that may verify a token with `algorithm` and `kid`: of the right kind, and with the
    /// same key id when both have one (a key without an id is tried for any token).
    public func candidates(for algorithm: JWTAlgorithm, kid: String?) -> [JWTKey] {
        keys.filter { key in
            key.supports(algorithm) && (kid == nil || key.kid == nil || key.kid == kid)
        }
    }

    /// Whether some key carries this id.
    public func contains(kid: String) -> Bool {
        keys.contains { $0.kid == kid }
    }
}
