import GatewayCore

/// An allowed origin as configured: exact (`https://app.example.com`), any subdomain one label
/// deep (`https://*.example.com`, same scheme and port), or any origin (`*`). Never a regular
/// expression: a wildcard only ever stands for one DNS label at the front of the host, so
/// `https://*.example.com` cannot match `https://example.com.evil.net` or `https://evilexample.com`.
public enum OriginPattern: Sendable, Hashable, CustomStringConvertible {
    case any
    case exact(CORSOrigin)
    /// `suffix` includes its leading dot (`.example.com`).
    case subdomains(scheme: String, suffix: String, port: Int?)

    /// Why a configured origin is refused, with what would be valid.
    public struct ParseError: Error, Sendable, Hashable {
        public var message: String
        public var hint: String
    }

    public static func parse(_ text: String) -> Result<OriginPattern, ParseError> {
        let example = "expected '*', 'https://app.example.com', 'http://localhost:3000' or 'https://*.example.com'"
        if text == "*" { return .success(.any) }
        if text == "null" || text.lowercased().hasPrefix("file:") {
            return .failure(ParseError(message: "origin '\(text)' cannot be allowed", hint: "'null' and file:// origins are shared by every sandboxed page and local file"))
        }
        guard let schemeEnd = text.firstRange(of: "://") else {
            return .failure(ParseError(message: "origin '\(text)' has no scheme", hint: example))
        }
        let authority = text[schemeEnd.upperBound...]
        if let slash = authority.firstIndex(where: { "/?#".contains($0) }) {
            return .failure(
                ParseError(message: "origin '\(text)' has a path, query or fragment", hint: "an origin is scheme://host[:port]; did you mean '\(text[..<slash])'?"))
        }
        if authority.contains("@") {
            return .failure(ParseError(message: "origin '\(text)' contains userinfo", hint: example))
        }
        if authority.hasPrefix("*.") {
            let concrete = text[..<schemeEnd.upperBound] + "wildcard." + authority.dropFirst(2)
            guard let origin = CORSOrigin(concrete), origin.host.hasPrefix("wildcard.") else {
                return .failure(ParseError(message: "invalid origin pattern '\(text)'", hint: example))
            }
            let suffix = String(origin.host.dropFirst("wildcard".count))
            guard suffix.dropFirst().contains(".") else {
                return .failure(
                    ParseError(message: "origin pattern '\(text)' covers a whole top-level domain", hint: "name the registrable domain, e.g. 'https://*.example.com'"))
            }
            return .success(.subdomains(scheme: origin.scheme, suffix: suffix, port: origin.port))
        }
        if authority.contains("*") {
            return .failure(ParseError(message: "'*' may only stand for the first label of an origin's host", hint: example))
        }
        guard let origin = CORSOrigin(text) else {
            return .failure(ParseError(message: "invalid origin '\(text)'", hint: example))
        }
        return .success(.exact(origin))
    }

    public func matches(_ origin: CORSOrigin) -> Bool {
        switch self {
        case .any: return true
        case .exact(let allowed): return allowed == origin
        case .subdomains(let scheme, let suffix, let port):
            guard origin.scheme == scheme, origin.port == port else { return false }
            return HostPattern.wildcard(suffix: suffix).matches(origin.host)
        }
    }

    public var description: String {
        switch self {
        case .any: "*"
        case .exact(let origin): origin.description
        case .subdomains(let scheme, let suffix, let port): scheme + "://*" + suffix + (port.map { ":\($0)" } ?? "")
        }
    }
}
