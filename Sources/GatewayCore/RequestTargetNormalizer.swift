/// The request target after normalisation: what routing sees and what the upstream receives.
public struct NormalizedTarget: Sendable, Hashable {
    /// RFC 3986 normalised path: dot segments removed, `//` collapsed, unreserved escapes decoded,
    /// other escapes in upper case.
    public var path: String
    /// The query as sent (validated, not decoded), without `?`.
    public var query: String?
    /// The authority of an absolute-form target (`GET http://host/path`), which replaces `Host`.
    public var authority: String?

    public init(path: String, query: String? = nil, authority: String? = nil) {
        self.path = path
        self.query = query
        self.authority = authority
    }

    /// Path and query as sent upstream.
    public var uri: String {
        guard let query else { return path }
        return path + "?" + query
    }
}

/// Normalises request targets so no encoding reaches a route or an upstream that the plain path
/// would not (RFC 3986 §6, RFC 9112 §3.2).
///
/// Rejected with 400: encoded `/`, `\`, `.` and NUL or other controls (`%2f`, `%5c`, `%2e`, `%00`),
/// raw backslashes, `..;` tricks, dot segments that climb above the root, malformed escapes,
/// fragments, and any byte outside the URI grammar.
public enum RequestTargetNormalizer {
    public static func normalize(_ target: String, method: String) -> Result<NormalizedTarget, GatewayError> {
        let utf8 = target.utf8
        guard let first = utf8.first else { return .failure(.badRequest("empty request target")) }
        if first == UInt8(ascii: "*") {
            guard target == "*", method == "OPTIONS" else {
                return .failure(.badRequest("asterisk-form is only valid for OPTIONS"))
            }
            return .success(NormalizedTarget(path: "*"))
        }
        var rest = Substring(target)
        var authority: String? = nil
        if first != UInt8(ascii: "/") {
            // absolute-form: only http and https, and it never picks a destination; the authority
            // replaces Host for routing only.
            let lower = rest.prefix(8).lowercased()
            let schemeLength: Int
            if lower.hasPrefix("http://") { schemeLength = 7 } else if lower.hasPrefix("https://") { schemeLength = 8 } else {
                return .failure(.badRequest("request target must be origin-form or absolute-form"))
            }
            rest = rest.dropFirst(schemeLength)
            let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            let auth = rest[rest.startIndex..<end]
            guard !auth.isEmpty, !auth.contains("@") else {
                return .failure(.badRequest("invalid authority in request target"))
            }
            authority = String(auth)
            rest = rest[end...]
            if rest.isEmpty || rest.first == "?" { rest = "/" + rest }
        }
        var pathPart = rest
        var query: String? = nil
        if let q = rest.firstIndex(of: "?") {
            pathPart = rest[rest.startIndex..<q]
            let queryPart = rest[rest.index(after: q)...]
            guard queryPart.utf8.allSatisfy(isQueryByte) else {
                return .failure(.badRequest("invalid character in query"))
            }
            guard hasValidEscapes(queryPart) else { return .failure(.badRequest("malformed percent-encoding in query")) }
            query = String(queryPart)
        }
        switch normalizePath(pathPart) {
        case .success(let path): return .success(NormalizedTarget(path: path, query: query, authority: authority))
        case .failure(let error): return .failure(error)
        }
    }

    static func normalizePath(_ raw: Substring) -> Result<String, GatewayError> {
        // Decode and validate escapes first, so that dot-segment removal sees the real segments.
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.utf8.count)
        var needsWork = false
        var iterator = raw.utf8.makeIterator()
        var previous: UInt8 = 0
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let h = iterator.next(), let l = iterator.next(), let hv = hexValue(h), let lv = hexValue(l) else {
                    return .failure(.badRequest("malformed percent-encoding in path"))
                }
                let value = hv << 4 | lv
                switch value {
                case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "."):
                    return .failure(.badRequest("encoded '/', '\\' or '.' in path"))
                case 0x00..<0x20, 0x7F:
                    return .failure(.badRequest("encoded control character in path"))
                default:
                    break
                }
                if isUnreserved(value) {
                    decoded.append(value)
                    needsWork = true
                } else {
                    decoded.append(UInt8(ascii: "%"))
                    decoded.append(hexDigit(value >> 4))
                    decoded.append(hexDigit(value & 0xF))
                    if !(isUpperHex(h) && isUpperHex(l)) { needsWork = true }
                }
                previous = 0
                continue
            case UInt8(ascii: "\\"):
                return .failure(.badRequest("backslash in path"))
            case UInt8(ascii: "#"):
                return .failure(.badRequest("fragment in request target"))
            default:
                guard isPathByte(byte) else { return .failure(.badRequest("invalid character in path")) }
            }
            if byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/")) {
                needsWork = true
            }
            decoded.append(byte)
            previous = byte
        }
        guard decoded.first == UInt8(ascii: "/") else { return .failure(.badRequest("path must start with '/'")) }
        if !needsWork { return .success(String(raw)) }

        // Remove dot segments and empty segments (RFC 3986 §5.2.4, plus `//` collapsing).
        var output: [ArraySlice<UInt8>] = []
        let segments = decoded.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var trailingSlash = false
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            if segment.starts(with: [UInt8(ascii: "."), UInt8(ascii: "."), UInt8(ascii: ";")])
                || segment.starts(with: [UInt8(ascii: "."), UInt8(ascii: ";")])
            {
                return .failure(.badRequest("dot segment with parameters in path"))
            }
            if segment.isEmpty {
                if isLast { trailingSlash = true }
                continue
            }
            if segment.elementsEqual([UInt8(ascii: ".")]) {
                if isLast { trailingSlash = true }
                continue
            }
            if segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard !output.isEmpty else { return .failure(.badRequest("path climbs above the root")) }
                output.removeLast()
                if isLast { trailingSlash = true }
                continue
            }
            trailingSlash = false
            output.append(segment)
        }
        var result: [UInt8] = [UInt8(ascii: "/")]
        for (index, segment) in output.enumerated() {
            if index > 0 { result.append(UInt8(ascii: "/")) }
            result.append(contentsOf: segment)
        }
        if trailingSlash && !output.isEmpty { result.append(UInt8(ascii: "/")) }
        return .success(String(decoding: result, as: UTF8.self))
    }

    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }

    @inline(__always) static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x41 + v - 10 }
    @inline(__always) static func isUpperHex(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x46).contains(b) }

    @inline(__always) static func isUnreserved(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    /// pchar / "/" (RFC 3986 §3.3): unreserved, sub-delims, ":", "@".
    @inline(__always) static func isPathByte(_ b: UInt8) -> Bool {
        if isUnreserved(b) { return true }
        switch b {
        case UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"),
            UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// Visible ASCII except the characters that are never valid unescaped in a URI.
    @inline(__always) static func isQueryByte(_ b: UInt8) -> Bool {
        guard b > 0x20 && b < 0x7F else { return false }
        switch b {
        case UInt8(ascii: "#"), UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"),
            UInt8(ascii: "`"):
            return false
        default:
            return true
        }
    }

    static func hasValidEscapes(_ s: Substring) -> Bool {
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), hexValue(h) != nil, hexValue(l) != nil else { return false }
            }
        }
        return true
    }
}
