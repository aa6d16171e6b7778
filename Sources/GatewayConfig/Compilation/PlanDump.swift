import GatewayCore
import GatewayPolicies
import NIOCore

/// A stable, readable text form of everything a plan holds, for `gateway check --dump` and for
/// golden tests. Upstreams are listed by name; everything else keeps configuration order.
public enum PlanDump {
    public static func render(_ plan: GatewayPlan) -> String {
        var out: [String] = []
        out.append("files: " + (plan.sourceFiles.isEmpty ? "(none)" : plan.sourceFiles.joined(separator: ", ")))

        let s = plan.settings
        out.append("settings:")
        out.append("  worker_threads: " + (s.workerThreads.map(String.init) ?? "auto"))
        out.append("  trusted_proxies: " + (s.trustedProxies.isEmpty ? "none" : s.trustedProxies.map(\.description).joined(separator: ", ")))
        out.append("  server_header: " + (s.serverHeader.map(quote) ?? "off"))
        out.append("  access_log: " + render(s.accessLog)
            + (s.accessLogFields == AccessLogField.defaults ? "" : ", fields " + s.accessLogFields.map(\.rawValue).joined(separator: " ")))
        out.append("  log: " + render(s.logging))
        out.append("  drain_timeout: " + duration(s.drainTimeout))
        out.append("  timeouts:")
        out.append("    request_head: " + duration(s.timeouts.requestHead))
        out.append("    body_idle: " + duration(s.timeouts.bodyIdle))
        out.append("    keepalive_idle: " + duration(s.timeouts.keepaliveIdle))
        out.append("    send_idle: " + duration(s.timeouts.sendIdle))
        out.append("  head limits: " + describe(s.headLimits))
        out += policyLines("unrouted response policies", plan.unroutedResponsePolicies.map { policy in
            (policy as? SecurityHeadersPolicy).map(describe) ?? policy.name
        }, indent: "  ")
        out.append("  remote documents: " + (plan.remoteDocuments.isEmpty ? "none" : plan.remoteDocuments.map { "\(LogRedaction.url($0.url)) every \(duration($0.refreshInterval))" }.joined(separator: ", ")))
        out.append("  certificate_check_interval: " + (s.certificateCheckInterval.map(duration) ?? "off"))
        out.append("  resolve_interval: " + (s.resolveInterval.map(duration) ?? "off"))
        if let admin = s.admin {
            out.append("  admin: \(admin.listener.displayAddress) at \(at(admin.listener.location)), token " + (admin.token == nil ? "none" : "(set)"))
        }
        out.append("  http2:")
        out.append("    max_concurrent_streams: \(s.http2.maxConcurrentStreams)")
        out.append("    max_header_list_size: \(s.http2.maxHeaderListSize)")
        out.append("    stream_window: \(s.http2.streamWindow)")
        out.append("    connection_window: \(s.http2.connectionWindow)")
        out.append("    max_resets: \(s.http2.maxResets) per " + duration(s.http2.resetWindow))
        out.append("    max_continuation_frames: \(s.http2.maxContinuationFrames)")

        out.append("listeners:")
        for listener in plan.listeners {
            out.append("  \(listener.displayAddress) (host \(quote(listener.host))) at \(at(listener.location))")
            out += listenerLines(listener).map { "    " + $0 }
        }

        out.append("upstreams:" + (plan.upstreams.isEmpty ? " none" : ""))
        for name in plan.upstreams.keys.sorted() {
            let u = plan.upstreams[name]!
            out.append("  \(u.name) at \(at(u.location))")
            out += upstreamLines(u).map { "    " + $0 }
        }

        if let redis = plan.redis {
            out.append("redis: \(redis) at \(at(redis.location))")
            out.append("  timeout: " + duration(redis.timeout))
            out.append("  pool: \(redis.pool) per event loop")
            out.append("  password: " + (redis.password == nil ? "none" : "(set)"))
            out.append("  instances: " + (redis.instances.map(String.init) ?? "not set"))
        } else {
            out.append("redis: none")
        }
        out.append("rate_limits:" + (plan.rateLimits.isEmpty ? " none" : ""))
        for name in plan.rateLimits.keys.sorted() {
            let limit = plan.rateLimits[name]!
            out.append("  \(limit.name) at \(at(limit.location))")
            out += rateLimitLines(limit).map { "    " + $0 }
        }

        out.append("routes:" + (plan.routes.routes.isEmpty ? " none" : ""))
        for (index, route) in plan.routes.routes.enumerated() {
            out.append("  \(index + 1). \(route.path) at \(at(route.location))")
            out.append("     hosts: " + (route.hosts.isEmpty ? "any" : route.hosts.map(\.description).joined(separator: ", ")))
            out.append("     methods: " + (route.methods.map { $0.sorted().joined(separator: ", ") } ?? "any"))
            out += policyLines("request policies", route.requestPolicies.map(describe), indent: "     ")
            out += actionLines(route.action).map { "     " + $0 }
            out += policyLines("response policies", route.responsePolicies.map(describe), indent: "     ")
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func upstreamLines(_ u: UpstreamSpec) -> [String] {
        [
            "servers: " + u.servers.map { "\($0) weight=\($0.weight)" }.joined(separator: ", "),
            "balance: \(u.balance)",
            "connect_timeout: " + duration(u.connectTimeout),
            "first_byte_timeout: " + duration(u.firstByteTimeout),
            "idle_timeout: " + duration(u.idleTimeout),
            "keepalive: \(u.keepaliveConnections)",
            "keepalive_timeout: " + duration(u.keepaliveTimeout),
            "max_connect_attempts: \(u.maxConnectAttempts)",
            "circuit_breaker: " + limitsSummary(u.limits),
            "retries: " + retrySummary(u.retry),
            "outlier_detection: " + (u.outlierDetection.map(outlierSummary) ?? "off"),
            "health_check: " + (u.healthCheck.map(healthCheckSummary) ?? "off"),
            "slow_start: " + (u.slowStart.map(duration) ?? "off"),
            "tls: " + (u.tls.map(tlsSummary) ?? "off"),
        ]
    }

    static func listenerLines(_ l: ListenerSpec) -> [String] {
        var lines = ["protocols: " + (l.tls == nil ? "http/1.1" + (l.http2 ? ", h2c (prior knowledge)" : "") : "TLS 1.2-1.3, ALPN " + (l.http2 ? "h2, http/1.1" : "http/1.1"))]
        if let tls = l.tls {
            for c in tls.certificates {
                let names = c.names.isEmpty ? "names from the certificate" : c.names.map(\.description).joined(separator: ", ")
                lines.append("certificate: \(quote(c.certificateFile)) key \(quote(c.keyFile)) for \(names)")
            }
            lines.append("client_ca: " + (tls.clientCAFile.map(quote) ?? "none"))
            lines.append("hsts: " + (tls.hsts.map { quote($0.headerValue) } ?? "off"))
        }
        if let redirect = l.redirectHTTPS {
            lines.append("redirect_https: 308 to https port \(redirect.port ?? 443)")
        }
        return lines
    }

    static func rateLimitLines(_ limit: RateLimitSpec) -> [String] {
        [
            "rate: \(limit.rateText) burst: \(limit.burst) (RateLimit-Policy q=\(limit.burst);w=\(limit.windowSeconds))",
            "key: \(limit.key)",
            "store: \(limit.store.rawValue)" + (limit.store == .redis ? ", on_store_error \(limit.onStoreError.rawValue)" : ""),
            "mode: \(limit.mode.rawValue)",
            "headers: " + (limit.headers ? "on" : "off"),
        ]
    }

    static func actionLines(_ action: RouteAction) -> [String] {
        switch action {
        case .proxy(let target):
            return [
                "action: proxy \(target.upstream)",
                "  strip_prefix: " + (target.stripPrefix ?? "none"),
                "  rewrite: " + (target.rewrite.map(\.description) ?? "none"),
                "  host_header: " + (target.hostHeader.map(quote) ?? "client's"),
                "  websocket: " + (target.websocketIdleTimeout.map { "on, idle timeout " + duration($0) } ?? "off"),
            ]
        case .respond(let response):
            return [
                "action: respond \(response.status)",
                "  content_type: " + quote(response.contentType),
                "  body: " + quote(response.body),
            ]
        case .redirect(let redirect):
            return ["action: redirect \(redirect.status) \(redirect.location)"]
        }
    }

    static func limitsSummary(_ l: CircuitBreakerLimits) -> String {
        let parts = [("max_connections", l.maxConnections), ("max_pending", l.maxPending), ("max_requests", l.maxRequests)]
            .compactMap { name, value in value.map { "\(name) \($0)" } }
        return parts.isEmpty ? "off" : parts.joined(separator: ", ") + " (each event loop its share)"
    }

    static func retrySummary(_ r: RetryPolicy) -> String {
        "\(r.retries) on " + (r.retryOn.isEmpty ? "nothing" : r.retryOn.sorted().map(\.description).joined(separator: " "))
            + ", per_try_timeout " + (r.perTryTimeout.map(duration) ?? "off")
            + ", budget \(r.budgetPercent)% of requests in flight (at least \(r.budgetMinimum))"
    }

    static func outlierSummary(_ o: OutlierDetection) -> String {
        "eject after \(o.consecutiveFailures) failures in a row for \(duration(o.baseEjectionTime)) × ejections up to "
            + "\(duration(o.maxEjectionTime)), at most \(o.maxEjectedPercent)% of servers"
    }

    static func healthCheckSummary(_ h: HealthCheck) -> String {
        let probe: String
        switch h.kind {
        case .tcp: probe = "tcp connect"
        case .http(let path, let host, let expect):
            let statuses = expect.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: " ")
            probe = "http GET \(quote(path)) host \(host ?? "server address") expect \(statuses)"
        }
        return probe + " every \(duration(h.interval)) (+ up to \(h.jitterPercent)%), timeout \(duration(h.timeout)), "
            + "down after \(h.unhealthyThreshold) failures, up after \(h.healthyThreshold) successes"
    }

    static func tlsSummary(_ tls: UpstreamTLS) -> String {
        var parts = ["verify " + (tls.verify ? "on" : "off")]
        parts.append("ca " + (tls.caFile.map(quote) ?? "system"))
        parts.append("sni " + (tls.serverName ?? "server host"))
        if let certificate = tls.clientCertificateFile, let key = tls.clientKeyFile {
            parts.append("client_certificate \(quote(certificate)) key \(quote(key))")
        }
        return parts.joined(separator: ", ")
    }

    static func render(_ target: AccessLogTarget) -> String {
        switch target {
        case .off: "off"
        case .stdout: "stdout"
        case .file(let path): "file " + quote(path)
        }
    }

    /// `json, level info, upstream debug, tls warning` (subsystems in schema order).
    static func render(_ logging: LogSettings) -> String {
        let levels = LogSubsystem.allCases.compactMap { subsystem in logging.levels[subsystem].map { "\(subsystem.rawValue) \($0.rawValue)" } }
        return ([logging.format.rawValue, "level " + logging.level.rawValue] + levels).joined(separator: ", ")
    }

    static func policies(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }

    static func duration(_ amount: TimeAmount) -> String { ValueParser.format(amount) }

    static func at(_ location: SourceLocation?) -> String { location.map(String.init(describing:)) ?? "(unknown)" }

    /// Double-quoted with `\` `"` and control characters escaped, so every value is one line.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
