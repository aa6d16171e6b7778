import NIOHTTP1

/// Where the token of a request is: `Authorization: Bearer <token>` (one header only), or else a
/// named cookie. The header wins over the cookie, since browsers send cookies unasked.
public enum BearerCredentials: Sendable, Equatable {
    case none
    case token(Substring)
    /// Malformed credentials: a stable reason code.
    case invalid(String)

    public static func find(in headers: HTTPHeaders, cookie: String?) -> BearerCredentials {
        var authorization: String? = nil
        for (name, value) in headers where name.equalsIgnoringASCIICase("authorization") {
            guard authorization == nil else { return .invalid("duplicate_authorization") }
            authorization = value
        }
        if let authorization { return bearer(authorization) }
        guard let cookie else { return .none }
        var found: Substring? = nil
        for (name, value) in headers where name.equalsIgnoringASCIICase("cookie") {
            for pair in value.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " })
                guard let eq = trimmed.firstIndex(of: "="), trimmed[..<eq] == cookie else { continue }
                guard found == nil else { return .invalid("duplicate_cookie") }
                found = trimmed[trimmed.index(after: eq)...]
            }
        }
        guard let found, !found.isEmpty else { return .none }
        return .token(found)
    }

    /// `Bearer <token68>` (scheme in any case, one or more spaces) → the token. Byte-wise over the
    /// value's UTF-8: a token is a few hundred bytes, and walking it as characters would cost more
    /// than the rest of a cached token check.
    static func bearer(_ authorization: String) -> BearerCredentials {
        let utf8 = authorization.utf8
        let prefix = "bearer ".utf8
        guard utf8.count > prefix.count,
            utf8.prefix(prefix.count).elementsEqual(prefix, by: { $0 == $1 || ($1 >= 0x61 && $0 | 0x20 == $1) })
        else { return .invalid("not_bearer") }
        var start = utf8.index(utf8.startIndex, offsetBy: prefix.count)
        while start < utf8.endIndex, utf8[start] == UInt8(ascii: " ") { start = utf8.index(after: start) }
        let token = utf8[start...]
        let valid =
            token.withContiguousStorageIfAvailable { bytes in !bytes.isEmpty && bytes.allSatisfy(isToken68Byte) }
            ?? (!token.isEmpty && token.allSatisfy(isToken68Byte))
        guard valid else { return .invalid("malformed_authorization") }
        return .token(Substring(token))
    }

    /// token68 (RFC 9110 §11.2), which covers a compact JWS.
    @inline(__always)
    static func isToken68Byte(_ b: UInt8) -> Bool {
        token68[Int(b)]
    }

    private static let token68: [Bool] = (0...255).map { value in
        let b = UInt8(value)
        return (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }
}
