/// The URL of a document the gateway fetches itself (a JWKS): `http://` or `https://`, a host
/// name or IP literal (`[…]` for IPv6), an optional port, a path. No user info, no fragment.
///
/// Parsed once when the plan is compiled; the fetcher connects to ``host``:``port``, sends
/// ``authority`` as `Host` and, over TLS, ``host`` as SNI and as the name the certificate must
/// carry.
public struct DocumentURL: Sendable, Hashable, CustomStringConvertible {
    public var isTLS: Bool
    /// The host without IPv6 brackets.
    public var host: String
    public var port: Int
    /// The host (with brackets for IPv6) and the port when it was given.
    public var authority: String
    /// The origin-form target, `/` when the URL has none.
    public var path: String

    /// `nil` for anything but a well-formed `http://` or `https://` URL.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            isTLS = true
            rest = text.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            isTLS = false
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        authority = String(rest[..<slash])
        path = rest[slash...].isEmpty ? "/" : String(rest[slash...])
        guard !authority.isEmpty, !authority.contains("@"), !path.contains("#"),
            path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        var hostPart = Substring(authority)
        port = isTLS ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            hostPart = authority[..<colon]
            port = value
        }
        if hostPart.hasPrefix("[") {
            guard hostPart.hasSuffix("]"), hostPart.count > 2 else { return nil }
            hostPart = hostPart.dropFirst().dropLast()
        }
        guard !hostPart.isEmpty else { return nil }
        host = String(hostPart)
    }

    public var description: String { (isTLS ? "https://" : "http://") + authority + path }
}
