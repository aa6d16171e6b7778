import GatewayCore

/// A serialised web origin (RFC 6454): `http` or `https`, a host, and a port when it is not the
/// scheme's default. Parsed strictly: no path, query, fragment or userinfo, no empty or trailing
/// dot labels; `null`, `file://` and every other scheme are not origins CORS can allow.
public struct CORSOrigin: Sendable, Hashable, CustomStringConvertible {
    public let scheme: String
    /// Lower case; IPv6 in brackets.
    public let host: String
    /// `nil` for the scheme's default port (80 for http, 443 for https).
    public let port: Int?

    public init?(_ text: Substring) {
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let authority = lower.dropFirst(scheme.count + 3)
        guard !authority.isEmpty, !authority.contains(where: { "/?#@\\ ".contains($0) }) else { return nil }
        var host = authority
        var port: Int? = nil
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let digits = authority[authority.index(after: colon)...]
            guard !digits.isEmpty, digits.utf8.count <= 5, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(digits), (1...65535).contains(value)
            else { return nil }
            host = authority[..<colon]
            port = value == (scheme == "https" ? 443 : 80) ? nil : value
        }
        guard !host.hasPrefix("*"), case .exact(let name)? = HostPattern(parsing: String(host)) else { return nil }
        self.scheme = scheme
        self.host = name
        self.port = port
    }

    public init?(_ text: String) { self.init(Substring(text)) }

    public var description: String {
        scheme + "://" + host + (port.map { ":\($0)" } ?? "")
    }
}
