/// A compact JWS (`header.payload.signature`) taken apart, before any verification.
///
/// Parsing is strict: exactly three canonical base64url segments, JSON objects for header and
/// claims, a string `alg`. `alg: none` in any spelling, an empty signature and any `crit`
/// header are refused here. `jku`, `x5u`, `jwk` and `x5c` are never read: keys only ever come
/// from the configuration.
public struct JWTToken: Sendable {
    public let algorithm: String
    public let kid: String?
    public let claims: [String: JSONValue]
    /// The ASCII bytes the signature covers (`header.payload`).
    public let signingInput: ArraySlice<UInt8>
    public let signature: [UInt8]

    /// Tokens longer than this are refused unread (far above any real token).
    public static let maximumLength = 16 * 1024

    public init(compact: Substring) throws(JWTFailure) {
        let bytes = Array(compact.utf8)
        guard bytes.count <= Self.maximumLength else { throw .malformed }
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else { throw .malformed }
        guard let headerBytes = Base64URL.decode(bytes[..<firstDot]),
            let header = try? JSONParser.parse(headerBytes).object
        else { throw .malformed }
        guard let algorithm = header["alg"]?.string else { throw .malformed }
        if algorithm.lowercased() == "none" { throw .algNone }
        if header["crit"] != nil { throw .critUnsupported }
        var kid: String? = nil
        if let value = header["kid"] {
            guard let text = value.string else { throw .malformed }
            kid = text
        }
        guard secondDot + 1 < bytes.count else { throw .missingSignature }
        guard let payload = Base64URL.decode(bytes[(firstDot + 1)..<secondDot]),
            let claims = try? JSONParser.parse(payload).object,
            let signature = Base64URL.decode(bytes[(secondDot + 1)...])
        else { throw .malformed }
        self.algorithm = algorithm
        self.kid = kid
        self.claims = claims
        self.signingInput = bytes[..<secondDot]
        self.signature = signature
    }
}
