import GatewayCore
import NIOCore

extension PlanCompiler {
    mutating func compileUpstreams(_ directives: [Directive]) -> [String: UpstreamSpec] {
        var upstreams: [String: UpstreamSpec] = [:]
        for d in directives where d.name == "upstream" {
            guard let name = value(d, 0, ValueParser.name) else { continue }
            if let existing = upstreams[name] {
                error(
                    d.arguments[0].location, "upstream", "upstream '\(name)' is already defined at \(existing.location.map(String.init(describing:)) ?? "?")",
                    hint: "upstream names must be unique")
                continue
            }
            guard let block = d.block else { continue }
            var spec = UpstreamSpec(name: name, servers: [], location: d.location)
            for server in block where server.name == "server" {
                guard let (host, port) = value(server, 0, ValueParser.hostPort) else { continue }
                let weight = server.arguments.count > 1 ? value(server, 1, ValueParser.weight) : 1
                guard let weight else { continue }
                spec.servers.append(UpstreamServer(host: host, port: port, weight: weight))
            }
            if !block.contains(where: { $0.name == "server" }) {
                error(d.location, "upstream", "upstream '\(name)' has no servers", hint: "add at least one 'server HOST:PORT;'")
            }
            if let v = first("balance", in: block).flatMap({ value($0, 0, { BalanceAlgorithm(rawValue: $0).map(Result.success) ?? .failure(ValueError("")) }) }) {
                spec.balance = v
            }
            func duration(_ name: String) -> TimeAmount? {
                first(name, in: block).flatMap { value($0, 0) { ValueParser.duration($0) } }
            }
            if let v = duration("connect_timeout") { spec.connectTimeout = v }
            if let v = duration("first_byte_timeout") { spec.firstByteTimeout = v }
            if let v = duration("idle_timeout") { spec.idleTimeout = v }
            if let v = duration("keepalive_timeout") { spec.keepaliveTimeout = v }
            if let v = first("keepalive", in: block).flatMap({ value($0, 0) { ValueParser.integer($0, in: 0...10_000) } }) {
                spec.keepaliveConnections = v
            }
            if let v = first("max_connect_attempts", in: block).flatMap({ value($0, 0) { ValueParser.integer($0, in: 1...10) } }) {
                spec.maxConnectAttempts = v
            }
            if let t = first("tls", in: block) {
                spec.tls = compileUpstreamTLS(t.block ?? [])
            }
            upstreams[name] = spec
        }
        return upstreams
    }
}

extension PlanCompiler {
    mutating func compileUpstreamTLS(_ block: [Directive]) -> UpstreamTLS {
        var tls = UpstreamTLS()
        if let d = first("verify", in: block) { tls.verify = d.arguments.first?.text != "off" }
        if let d = first("ca", in: block), let path = resolvedPath(d, 0) {
            checkTLSFiles(d) { $0.checkCABundle(path) }
            tls.caFile = path
        }
        if let d = first("sni", in: block) { tls.serverName = value(d, 0, ValueParser.hostName) }
        if let d = first("client_certificate", in: block), let certificate = resolvedPath(d, 0), let key = resolvedPath(d, 1) {
            checkTLSFiles(d) { $0.checkCertificate(certificate, key: key) }
            tls.clientCertificateFile = certificate
            tls.clientKeyFile = key
        }
        return tls
    }
}
