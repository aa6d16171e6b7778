import GatewayCore
import NIOCore

extension PlanCompiler {
    mutating func compileSettings(_ directives: [Directive]) -> ServerSettings {
        var settings = ServerSettings()
        if let d = first("worker_threads", in: directives), d.arguments.first?.text != "auto" {
            settings.workerThreads = value(d) { ValueParser.integer($0, in: 1...1024) }
        }
        settings.trustedProxies = directives.filter { $0.name == "trusted_proxies" }.flatMap { d in
            d.arguments.indices.compactMap { value(d, $0, ValueParser.cidr) }
        }
        if let d = first("server_header", in: directives), let text = d.arguments.first?.text {
            settings.serverHeader = text == "off" ? nil : (value(d, 0, ValueParser.headerValue) ?? settings.serverHeader)
        }
        if let d = first("access_log", in: directives), let text = d.arguments.first?.text, !text.isEmpty {
            switch text {
            case "off": settings.accessLog = .off
            case "stdout": settings.accessLog = .stdout
            default: settings.accessLog = .file(text)
            }
        }
        if let d = first("drain_timeout", in: directives), let amount = value(d, 0, { ValueParser.duration($0, allowZero: true) }) {
            settings.drainTimeout = amount
        }
        if let block = first("timeouts", in: directives)?.block {
            func duration(_ name: String) -> TimeAmount? {
                first(name, in: block).flatMap { value($0, 0) { ValueParser.duration($0) } }
            }
            if let v = duration("request_head") { settings.timeouts.requestHead = v }
            if let v = duration("body_idle") { settings.timeouts.bodyIdle = v }
            if let v = duration("keepalive_idle") { settings.timeouts.keepaliveIdle = v }
            if let v = duration("send_idle") { settings.timeouts.sendIdle = v }
        }
        return settings
    }

    mutating func compileListeners(_ directives: [Directive]) -> [ListenerSpec] {
        var listeners: [ListenerSpec] = []
        var sawListen = false
        for d in directives where d.name == "listen" {
            sawListen = true
            guard let (host, port) = value(d, 0, ValueParser.listenAddress) else { continue }
            let listener = ListenerSpec(host: host, port: port, location: d.location)
            if let other = listeners.first(where: { $0.overlaps(listener) }) {
                error(
                    d.arguments[0].location, "listen",
                    "listener \(listener.displayAddress) overlaps the listener \(other.displayAddress) at \(other.location.map(String.init(describing:)) ?? "?")",
                    hint: "two listeners cannot bind one port on overlapping addresses")
                continue
            }
            listeners.append(listener)
        }
        if !sawListen {
            error(
                SourceLocation(file: mainFile, line: 1, column: 1), nil, "no 'listen' directive: the gateway would accept no connections",
                hint: "add one at the top level, e.g. 'listen 8080;'")
        }
        return listeners
    }
}
