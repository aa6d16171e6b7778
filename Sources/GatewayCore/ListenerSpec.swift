/// One address the gateway accepts connections on, and how it speaks there.
///
/// Hashable without its source location: a reload keeps the bound socket (and TLS contexts) of a
/// listener whose settings did not change.
public struct ListenerSpec: Sendable, Hashable {
    /// Host part as written: an IPv4 or IPv6 literal, `localhost`, or `*`/empty for all addresses.
    public var host: String
    public var port: Int
    /// TLS termination; `nil` for a cleartext listener.
    public var tls: ListenerTLS?
    /// HTTP/2: offered by ALPN on a TLS listener, spoken with prior knowledge (h2c) on a
    /// cleartext one. On by default with TLS, off without.
    public var http2: Bool
    /// A cleartext listener that answers every request with a 308 to the same host and path
    /// over https (on this port, or the default 443 when `nil`).
    public var redirectHTTPS: HTTPSRedirect?
    public var location: SourceLocation?

    public init(
        host: String,
        port: Int,
        tls: ListenerTLS? = nil,
        http2: Bool? = nil,
        redirectHTTPS: HTTPSRedirect? = nil,
        location: SourceLocation? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.http2 = http2 ?? (tls != nil)
        self.redirectHTTPS = redirectHTTPS
        self.location = location
    }

    public static func == (a: ListenerSpec, b: ListenerSpec) -> Bool {
        a.host == b.host && a.port == b.port && a.tls == b.tls && a.http2 == b.http2 && a.redirectHTTPS == b.redirectHTTPS
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
        hasher.combine(tls)
        hasher.combine(http2)
        hasher.combine(redirectHTTPS)
    }

    /// The scheme clients use to reach this listener (`X-Forwarded-Proto`, redirects).
    public var scheme: String { tls == nil ? "http" : "https" }

    /// The address to bind: wildcard hosts bind every IPv4 address; `localhost` is the IPv4
    /// loopback address (never a name lookup, so `localhost:80` and `127.0.0.1:80` are seen to
    /// collide when the config is checked rather than when the second bind fails).
    public var bindHost: String {
        switch host {
        case "", "*": "0.0.0.0"
        case "localhost": "127.0.0.1"
        case "[::]", "::": "::"
        default: host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        }
    }

    /// Whether this listener binds every address of its family (so it overlaps any other listener
    /// on the same port).
    public var isWildcard: Bool { bindHost == "0.0.0.0" || bindHost == "::" }

    /// Two listeners overlap when one would steal the other's port.
    public func overlaps(_ other: ListenerSpec) -> Bool {
        guard port == other.port, port != 0 else { return false }
        return isWildcard || other.isWildcard || bindHost == other.bindHost
    }

    public var displayAddress: String {
        bindHost.contains(":") ? "[\(bindHost)]:\(port)" : "\(bindHost):\(port)"
    }
}
