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
            if let d = first("balance", in: block), let v = compileBalance(d) { spec.balance = v }
            func duration(_ name: String) -> TimeAmount? { first(name, in: block) { ValueParser.duration($0) } }
            if let v = duration("connect_timeout") { spec.connectTimeout = v }
            if let v = duration("first_byte_timeout") { spec.firstByteTimeout = v }
            if let v = duration("idle_timeout") { spec.idleTimeout = v }
            if let v = duration("keepalive_timeout") { spec.keepaliveTimeout = v }
            if let v = first("keepalive", in: block, { ValueParser.integer($0, in: 0...10_000) }) {
                spec.keepaliveConnections = v
            }
            if let v = first("max_connect_attempts", in: block, { ValueParser.integer($0, in: 1...10) }) {
                spec.maxConnectAttempts = v
            }
            compileRetry(block, into: &spec.retry)
            func limit(_ name: String) -> Int? {
                first(name, in: block) { ValueParser.integer($0, in: 1...1_000_000) }
            }
            spec.limits = CircuitBreakerLimits(maxConnections: limit("max_connections"), maxPending: limit("max_pending"), maxRequests: limit("max_requests"))
            if let o = first("outlier_detection", in: block) {
                spec.outlierDetection = compileOutlierDetection(o)
            }
            if let t = first("tls", in: block) {
                spec.tls = compileUpstreamTLS(t.block ?? [])
            }
            if let h = first("health_check", in: block) { spec.healthCheck = compileHealthCheck(h) }
            if let v = duration("slow_start") { spec.slowStart = v }
            upstreams[name] = spec
        }
        return upstreams
    }
}

extension PlanCompiler {
    /// `balance round_robin | least_conn | p2c | hash KEY;`: only `hash` takes (and needs) a key.
    mutating func compileBalance(_ d: Directive) -> BalanceAlgorithm? {
        guard let name = d.arguments.first?.text else { return nil }
        if name == "hash" {
            guard d.arguments.count > 1 else {
                error(d.location, "balance", "'balance hash' needs a key", hint: "expected client_ip, header:NAME, cookie:NAME or path")
                return nil
            }
            return value(d, 1, ValueParser.balanceHashKey).map(BalanceAlgorithm.hash)
        }
        if d.arguments.count > 1 {
            error(d.arguments[1].location, "balance", "'balance \(name)' takes no key", hint: "only 'balance hash KEY;' has a key")
            return nil
        }
        switch name {
        case "round_robin": return .roundRobin
        case "least_conn": return .leastConnections
        case "p2c": return .powerOfTwoChoices
        default: return nil
        }
    }
}

extension PlanCompiler {
    /// `retries N; per_try_timeout D; retry_on CONDITION...; retry_budget P%;`
    func compileRetry(_ block: [Directive], into retry: inout RetryPolicy) {
        if let v = first("retries", in: block, { ValueParser.integer($0, in: 0...10) }) { retry.retries = v }
        if let v = first("per_try_timeout", in: block, { ValueParser.duration($0) }) { retry.perTryTimeout = v }
        if let d = first("retry_on", in: block) {
            retry.retryOn = Set(d.arguments.indices.compactMap { value(d, $0, ValueParser.retryCondition) })
        }
        if let v = first("retry_budget", in: block, ValueParser.percent) { retry.budgetPercent = v }
    }

    /// `outlier_detection [{ consecutive_failures N; base_ejection_time D; max_ejection_time D; max_ejected_percent N; }]`.
    mutating func compileOutlierDetection(_ d: Directive) -> OutlierDetection {
        let block = d.block ?? []
        var settings = OutlierDetection()
        if let v = first("consecutive_failures", in: block, { ValueParser.integer($0, in: 1...1000) }) { settings.consecutiveFailures = v }
        if let v = first("base_ejection_time", in: block, { ValueParser.duration($0) }) { settings.baseEjectionTime = v }
        if let v = first("max_ejection_time", in: block, { ValueParser.duration($0) }) { settings.maxEjectionTime = v }
        if let v = first("max_ejected_percent", in: block, { ValueParser.integer($0, in: 0...100) }) { settings.maxEjectedPercent = v }
        if settings.maxEjectionTime < settings.baseEjectionTime {
            error(
                d.location, "outlier_detection", "max_ejection_time is shorter than base_ejection_time",
                hint: "the n-th ejection lasts n × base_ejection_time, capped at max_ejection_time")
        }
        return settings
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

extension PlanCompiler {
    /// `health_check [{ type http|tcp; path; expect; host; interval; timeout; healthy_threshold;
    /// unhealthy_threshold; jitter; }]`. `path`, `expect` and `host` belong to HTTP checks only.
    mutating func compileHealthCheck(_ d: Directive) -> HealthCheck {
        let block = d.block ?? []
        var check = HealthCheck()
        func duration(_ name: String) -> TimeAmount? { first(name, in: block) { ValueParser.duration($0) } }
        func threshold(_ name: String) -> Int? { first(name, in: block) { ValueParser.integer($0, in: 1...100) } }
        if let v = duration("interval") { check.interval = v }
        if let v = duration("timeout") { check.timeout = v }
        if let v = threshold("healthy_threshold") { check.healthyThreshold = v }
        if let v = threshold("unhealthy_threshold") { check.unhealthyThreshold = v }
        if let v = first("jitter", in: block, ValueParser.percent) { check.jitterPercent = v }
        if first("type", in: block)?.arguments.first?.text == "tcp" {
            check.kind = .tcp
            for name in ["path", "expect", "host"] {
                guard let http = first(name, in: block) else { continue }
                error(http.location, name, "'\(name)' applies to HTTP health checks only", hint: "remove it, or use 'type http;'")
            }
            return check
        }
        let path = first("path", in: block, ValueParser.pathPrefix) ?? HealthCheck.defaultPath
        let host = first("host", in: block, ValueParser.hostName)
        var expect = HealthCheck.defaultExpect
        if let e = first("expect", in: block) {
            expect = e.arguments.indices.compactMap { value(e, $0, ValueParser.statusRange) }
        }
        check.kind = .http(path: path, host: host, expect: expect)
        return check
    }
}
