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
        if let authorization {
            let value = Substring(authorization)
            // Byte-wise: counting characters of a long token would walk its grapheme clusters.
            guard value.utf8.count > 7, value.utf8.prefix(7).elementsEqual("bearer ".utf8, by: { $0 == $1 || ($1 >= 0x61 && $0 | 0x20 == $1) }) else {
                return .invalid("not_bearer")
            }
            let token = value.dropFirst(7).drop(while: { $0 == " " })
            guard !token.isEmpty, token.utf8.allSatisfy(isToken68Byte) else { return .invalid("malformed_authorization") }
            return .token(token)
        }
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

    /// token68 (RFC 9110 §11.2), which covers a compact JWS.
    static func isToken68Byte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }
}
