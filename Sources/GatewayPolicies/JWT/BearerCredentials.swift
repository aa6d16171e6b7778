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

    /// `Bearer <token68>` (scheme in any case, one or more spaces) → the token. One pass over the
    /// value's contiguous UTF-8: a token is a few hundred bytes, and walking it as characters (or
    /// through generic collection code) would cost more than the rest of a cached token check.
    static func bearer(_ authorization: String) -> BearerCredentials {
        var text = authorization
        // Read once: each use of a static is a call that checks it is initialised.
        let token68 = Self.token68
        let scanned = text.withUTF8 { bytes -> Result<Range<Int>, Malformed> in
            let scheme = "bearer "
            var i = 0
            for expected in scheme.utf8 {
                guard i < bytes.count else { return .failure(.notBearer) }
                let byte = bytes[i]
                guard byte == expected || (expected >= 0x61 && byte | 0x20 == expected) else { return .failure(.notBearer) }
                i += 1
            }
            guard i < bytes.count else { return .failure(.notBearer) }
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            let start = i
            while i < bytes.count, token68[Int(bytes[i])] { i += 1 }
            guard start < i, i == bytes.count else { return .failure(.malformed) }
            return .success(start..<i)
        }
        switch scanned {
        case .failure(.notBearer): return .invalid("not_bearer")
        case .failure(.malformed): return .invalid("malformed_authorization")
        case .success(let range):
            let utf8 = text.utf8
            let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            return .token(Substring(utf8[start...]))
        }
    }

    private enum Malformed: Error { case notBearer, malformed }

    /// The bytes of token68 (RFC 9110 §11.2), which covers a compact JWS, indexed by byte.
    private static let token68: [Bool] = (0...255).map { value in
        let b = UInt8(value)
        return (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }
}
