import GatewayCore

extension PlanCompiler {
    /// `admin ADDRESS [{ token TOKEN; }]`: a bare port binds the loopback address only; the
    /// address may not overlap a proxy listener; an empty token (an unset `${VAR:-}`) is none.
    mutating func compileAdmin(_ directives: [Directive], listeners: [ListenerSpec]) -> AdminSpec? {
        guard let d = first("admin", in: directives), let (host, port) = value(d, 0, ValueParser.listenAddress) else { return nil }
        let listener = ListenerSpec(host: host.isEmpty ? "127.0.0.1" : host, port: port, location: d.arguments[0].location)
        if let other = listeners.first(where: { $0.overlaps(listener) }) {
            error(
                d.arguments[0].location, "admin",
                "the admin listener \(listener.displayAddress) overlaps the listener \(other.displayAddress) at \(other.location.map(String.init(describing:)) ?? "?")",
                hint: "give the admin listener a port of its own, e.g. 'admin 127.0.0.1:9901;'")
            return nil
        }
        var token: String? = nil
        if let t = first("token", in: d.block ?? []), let text = t.arguments.first?.text, !text.isEmpty {
            guard text.count >= 16, text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                error(
                    t.arguments[0].location, "token", "the admin token must be at least 16 printable characters without spaces",
                    hint: "e.g. 'token ${ADMIN_TOKEN};' with a random value in the environment")
                return nil
            }
            token = text
        }
        return AdminSpec(listener: listener, token: token)
    }
}
