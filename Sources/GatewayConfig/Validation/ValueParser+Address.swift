import GatewayCore

extension ValueParser {
    static let listenHint = "expected PORT, :PORT, *:PORT, IPv4:PORT, [IPv6]:PORT or localhost:PORT"

    /// A listen address: `8080`, `:8080`, `*:8080`, `127.0.0.1:8080`, `[::1]:8080`,
    /// `localhost:8080`. Port 0 (an ephemeral port, for tests) is allowed. Names other than
    /// `localhost` are refused: binding must not depend on DNS.
    static func listenAddress(_ text: String) -> Result<(host: String, port: Int), ValueError> {
        if isDigits(text) {
            return port(Substring(text), allowZero: true).map { ("", $0) }
        }
        guard let (host, portText) = splitHostPort(text) else {
            return .failure(ValueError("invalid listen address '\(text)'", hint: listenHint))
        }
        let port: Int
        switch self.port(portText, allowZero: true) {
        case .success(let p): port = p
        case .failure(let error): return .failure(error)
        }
        switch host {
        case "", "*", "localhost":
            return .success((String(host), port))
        default:
            if host.hasPrefix("[") {
                guard let address = IPAddress(host.dropFirst().dropLast()), case .v6 = address else {
                    return .failure(ValueError("invalid IPv6 address '\(host)'", hint: listenHint))
                }
                return .success(("[\(address)]", port))
            }
            guard let address = IPAddress(host), case .v4 = address else {
                return .failure(
                    ValueError("listen host '\(host)' is not an IP address", hint: "use an IP address, 'localhost' or '*'; IPv6 goes in brackets, [::1]:8080"))
            }
            return .success((address.description, port))
        }
    }

    /// An upstream server: `host:port` with a DNS name, an IPv4 address or `[IPv6]`; the port is
    /// required. IPv6 hosts are returned without brackets.
    static func hostPort(_ text: String) -> Result<(host: String, port: Int), ValueError> {
        let hint = "expected HOST:PORT, e.g. 10.0.0.5:8080, api.internal:80 or [::1]:8080"
        guard let (host, portText) = splitHostPort(text), !host.isEmpty else {
            if !text.isEmpty, !text.contains(":") || (text.hasPrefix("[") && text.hasSuffix("]")) {
                return .failure(ValueError("server address '\(text)' has no port", hint: "write \(text):PORT"))
            }
            return .failure(ValueError("invalid server address '\(text)'", hint: hint))
        }
        let port: Int
        switch self.port(portText, allowZero: false) {
        case .success(let p): port = p
        case .failure(let error): return .failure(error)
        }
        if host.hasPrefix("[") {
            guard let address = IPAddress(host.dropFirst().dropLast()), case .v6 = address else {
                return .failure(ValueError("invalid IPv6 address '\(host)'", hint: hint))
            }
            return .success((address.description, port))
        }
        if host.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }) {
            guard let address = IPAddress(host) else {
                return .failure(ValueError("invalid IPv4 address '\(host)'", hint: hint))
            }
            return .success((address.description, port))
        }
        guard case .exact(let name) = HostPattern(parsing: String(host)) else {
            return .failure(ValueError("invalid host name '\(host)'", hint: hint))
        }
        return .success((name, port))
    }

    /// Splits at the port colon: the one after `]` for IPv6, else the only one.
    static func splitHostPort(_ text: String) -> (Substring, Substring)? {
        let s = Substring(text)
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), s[s.index(after: close)...].first == ":" else { return nil }
            return (s[...close], s[s.index(close, offsetBy: 2)...])
        }
        guard let colon = s.firstIndex(of: ":"), s.lastIndex(of: ":") == colon else { return nil }
        return (s[..<colon], s[s.index(after: colon)...])
    }

    static func port(_ text: Substring, allowZero: Bool) -> Result<Int, ValueError> {
        let range = (allowZero ? 0 : 1)...65535
        guard isDigits(text), text.count <= 5, let port = Int(text), range.contains(port) else {
            return .failure(ValueError("invalid port '\(text)'", hint: "expected \(range.lowerBound)...65535"))
        }
        return .success(port)
    }

    static func cidr(_ text: String) -> Result<CIDR, ValueError> {
        guard let cidr = CIDR(text) else {
            var hint = "expected an address or block such as 10.0.0.0/8, 192.168.1.10 or 2001:db8::/32"
            if let slash = text.firstIndex(of: "/"), IPAddress(String(text[..<slash])) != nil {
                hint = "host bits must be zero below the prefix length (e.g. 10.0.0.0/8, not 10.0.0.1/8)"
            }
            return .failure(ValueError("invalid CIDR '\(text)'", hint: hint))
        }
        return .success(cidr)
    }
}
