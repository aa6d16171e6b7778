import NIOHTTP1

/// Strict checks on a decoded request head, before routing (RFC 9110, RFC 9112).
///
/// The HTTP/1 parser already refuses obs-fold, whitespace before a colon and CR/LF/NUL in fields;
/// this adds the semantic rules that prevent request smuggling and host confusion. Any failure is
/// final: the request never reaches an upstream.
public enum RequestValidator {
    public static func validate(_ head: HTTPRequestHead) -> Result<ValidatedRequest, GatewayError> {
        // HTTP/2 requests arrive here through NIOHTTP2's codec as version 2.0, already checked
        // for pseudo-headers and connection-specific fields, with `:authority` as Host.
        let isHTTP2 = head.version == HTTPVersion(major: 2, minor: 0)
        guard isHTTP2 || (head.version.major == 1 && head.version.minor <= 1) else { return .failure(.httpVersionNotSupported) }
        let isHTTP10 = head.version == .http1_0
        let method = head.method.rawValue
        if method == "TRACE" || method == "CONNECT" { return .failure(.methodForbidden(method)) }

        // Framing: exactly one way to find the end of the body.
        var framing = BodyFraming.none
        var sawTransferEncoding = false
        var codings: [Substring] = []
        var contentLength: Int? = nil
        var hosts: [String] = []
        var expectsContinue = false
        for (name, value) in head.headers {
            switch name.utf8.count {
            case 4 where name.equalsIgnoringASCIICase("host"):
                hosts.append(value)
            case 6 where name.equalsIgnoringASCIICase("expect"):
                guard value.equalsIgnoringASCIICase("100-continue") else {
                    return .failure(.expectationFailed)
                }
                // RFC 9110 §10.1.1: ignored from HTTP/1.0 clients, which do not know 100 (Continue).
                expectsContinue = !isHTTP10
            case 14 where name.equalsIgnoringASCIICase("content-length"):
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let digits = item.trimmingSpaces()
                    guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                        let n = Int(digits)
                    else { return .failure(.badRequest("malformed Content-Length")) }
                    if let existing = contentLength, existing != n {
                        return .failure(.badRequest("conflicting Content-Length"))
                    }
                    contentLength = n
                }
            case 17 where name.equalsIgnoringASCIICase("transfer-encoding"):
                sawTransferEncoding = true
                for coding in value.split(separator: ",", omittingEmptySubsequences: false) {
                    codings.append(coding.trimmingSpaces())
                }
            default:
                break
            }
        }
        if sawTransferEncoding {
            guard !isHTTP10 else { return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request")) }
            guard contentLength == nil else { return .failure(.badRequest("both Content-Length and Transfer-Encoding")) }
            guard codings.count == 1, codings[0].equalsIgnoringASCIICase("chunked") else {
                return .failure(.unsupportedTransferCoding(codings.joined(separator: ", ")))
            }
            framing = .chunked
        } else if let contentLength {
            framing = .contentLength(contentLength)
        }

        // Host: exactly one for HTTP/1.1 (RFC 9112 §3.2), valid syntax.
        guard hosts.count <= 1 else { return .failure(.badRequest("duplicate Host header")) }
        if !isHTTP10 && hosts.isEmpty { return .failure(.badRequest("missing Host header")) }

        let target: NormalizedTarget
        switch RequestTargetNormalizer.normalize(head.uri, method: method) {
        case .success(let t): target = t
        case .failure(let error): return .failure(error)
        }
        // An absolute-form authority replaces Host (RFC 9112 §3.2.2); it still only selects a route.
        let authority = target.authority ?? hosts.first ?? ""
        guard let host = normalizedHost(authority) else {
            return .failure(.badRequest(authority.isEmpty ? "missing Host header" : "invalid Host header"))
        }
        return .success(
            ValidatedRequest(host: host, authority: authority, target: target, framing: framing, expectsContinue: expectsContinue)
        )
    }

    /// `host[:port]` → lower-case host without port or trailing dot; `nil` when invalid.
    ///
    /// Byte-wise, with no copy of a host that is already lower case without port or dot: this
    /// runs for every request.
    public static func normalizedHost(_ authority: String) -> String? {
        let utf8 = authority.utf8
        if utf8.first == UInt8(ascii: "[") {
            let host = Substring(authority)
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            guard after.isEmpty || (after.first == ":" && isPort(after.utf8.dropFirst())) else { return nil }
            let literal = host[host.index(after: host.startIndex)..<close]
            guard let address = IPAddress(literal), case .v6 = address else { return nil }
            return "[\(address)]"
        }
        var end = utf8.endIndex
        if let colon = utf8.lastIndex(of: UInt8(ascii: ":")) {
            guard isPort(utf8[utf8.index(after: colon)...]) else { return nil }
            end = colon
        }
        if end > utf8.startIndex, utf8[utf8.index(before: end)] == UInt8(ascii: ".") { end = utf8.index(before: end) }
        let host = utf8[..<end]
        let hasUpper = host.contains { $0 >= 0x41 && $0 <= 0x5A }
        let lower = hasUpper ? Substring(host).lowercased() : end == utf8.endIndex ? authority : String(Substring(host))
        guard HostPattern.isValidHostName(Substring(lower)) else { return nil }
        return lower
    }

    /// 1 to 5 digits, at most 65535.
    static func isPort<Digits: Collection<UInt8>>(_ digits: Digits) -> Bool {
        guard !digits.isEmpty, digits.count <= 5 else { return false }
        var value = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return false }
            value = value * 10 + Int(byte - 0x30)
        }
        return value <= 65535
    }
}
