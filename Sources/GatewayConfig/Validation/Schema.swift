import GatewayCore

/// The directives of `gateway.conf`, by context.
///
/// The names are part of the interface (the server, the CLI and `gateway.conf.example` use
/// them); the compiler reads only what this schema admits.
struct Schema: Sendable {
    let specs: [DirectiveSpec]
    private let byContext: [ConfigContext: [String: DirectiveSpec]]

    init(_ specs: [DirectiveSpec]) {
        self.specs = specs
        var byContext: [ConfigContext: [String: DirectiveSpec]] = [:]
        for spec in specs { byContext[spec.context, default: [:]][spec.name] = spec }
        self.byContext = byContext
    }

    func spec(_ name: String, in context: ConfigContext) -> DirectiveSpec? { byContext[context]?[name] }

    /// Names valid in `context`, in schema order (the order hints list them in).
    func names(in context: ConfigContext) -> [String] {
        specs.filter { $0.context == context }.map(\.name)
    }

    /// Contexts other than `context` where `name` is valid.
    func contexts(of name: String) -> [ConfigContext] {
        specs.filter { $0.name == name }.map(\.context)
    }

    static let durationKind = ArgumentKind.duration(allowZero: false)
    /// `mode enforce | shadow;` of every policy (``PolicyMode``).
    static let modeKind = ArgumentKind.keyword(["enforce", "shadow"])

    static let gateway = Schema([
        // Top level.
        DirectiveSpec("worker_threads", in: .main, [.autoOrInteger(1...1024)], usage: "worker_threads auto | N;"),
        DirectiveSpec("trusted_proxies", in: .main, [.cidr], variadic: true, repeatable: true, usage: "trusted_proxies CIDR...;"),
        DirectiveSpec("server_header", in: .main, [.offOrHeaderValue], usage: "server_header off | NAME;"),
        DirectiveSpec(
            "access_log", in: .main, [.logTarget], block: .accessLog, blockOptional: true,
            usage: "access_log off | stdout | PATH [{ fields FIELD...; }]"),
        DirectiveSpec("log", in: .main, [], block: .log, usage: "log { format json | text; level [SUBSYSTEM] LEVEL; }"),
        DirectiveSpec("drain_timeout", in: .main, [.duration(allowZero: true)], usage: "drain_timeout DURATION;"),
        DirectiveSpec("timeouts", in: .main, [], block: .timeouts, usage: "timeouts { … }"),
        DirectiveSpec("http2", in: .main, [], block: .http2, usage: "http2 { … }"),
        DirectiveSpec("certificate_check_interval", in: .main, [.offOrDuration], usage: "certificate_check_interval off | DURATION;"),
        DirectiveSpec("resolve_interval", in: .main, [.offOrDuration], usage: "resolve_interval off | DURATION;"),
        DirectiveSpec(
            "listen", in: .main, [.listenAddress, .keyword(["tls"])], minimum: 1, block: .listen, blockOptional: true, repeatable: true,
            usage: "listen ADDRESS [tls] [{ … }]"),
        DirectiveSpec("upstream", in: .main, [.name], block: .upstream, repeatable: true, usage: "upstream NAME { … }"),
        DirectiveSpec("route", in: .main, [.pathPattern], block: .route, repeatable: true, usage: "route PATH { … }"),
        DirectiveSpec("limits", in: .main, [], block: .limits, usage: "limits { … }"),
        DirectiveSpec("security_headers", in: .main, [], block: .securityHeaders, usage: "security_headers { … }"),
        DirectiveSpec("cors", in: .main, [.name], block: .cors, repeatable: true, usage: "cors NAME { … }"),
        DirectiveSpec("jwt", in: .main, [.name], block: .jwt, repeatable: true, usage: "jwt NAME { … }"),
        DirectiveSpec("allow", in: .main, [.cidrOrAll], variadic: true, repeatable: true, usage: "allow CIDR... | all;"),
        DirectiveSpec("deny", in: .main, [.cidrOrAll], variadic: true, repeatable: true, usage: "deny CIDR... | all;"),
        DirectiveSpec("ip_rules_mode", in: .main, [modeKind], usage: "ip_rules_mode enforce | shadow;"),
        DirectiveSpec("rate_limit", in: .main, [.name], block: .rateLimit, repeatable: true, usage: "rate_limit NAME { … }"),
        DirectiveSpec("redis", in: .main, [.redisURL], block: .redis, usage: "redis redis://HOST:PORT/DB { … }"),
        DirectiveSpec("admin", in: .main, [.listenAddress], block: .admin, blockOptional: true, usage: "admin ADDRESS [{ token TOKEN; }]"),
        // admin ADDRESS { }
        DirectiveSpec("token", in: .admin, [.text], usage: "token TOKEN;"),
        DirectiveSpec("compress", in: .main, [], block: .compress, usage: "compress { … }"),
        DirectiveSpec("cache", in: .main, [.name], block: .cache, repeatable: true, usage: "cache NAME { … }"),
        // access_log TARGET { }
        DirectiveSpec("fields", in: .accessLog, [.keyword(AccessLogField.names)], variadic: true, usage: "fields FIELD...;"),
        // log { }
        DirectiveSpec("format", in: .log, [.keyword(LogFormat.names)], usage: "format json | text;"),
        DirectiveSpec(
            "level", in: .log, [.keyword(LogSubsystem.names + LogLevel.names), .keyword(LogLevel.names)], minimum: 1, repeatable: true,
            usage: "level [SUBSYSTEM] LEVEL;"),
        // timeouts { }
        DirectiveSpec("request_head", in: .timeouts, [durationKind], usage: "request_head DURATION;"),
        DirectiveSpec("body_idle", in: .timeouts, [durationKind], usage: "body_idle DURATION;"),
        DirectiveSpec("keepalive_idle", in: .timeouts, [durationKind], usage: "keepalive_idle DURATION;"),
        DirectiveSpec("send_idle", in: .timeouts, [durationKind], usage: "send_idle DURATION;"),
        // http2 { }
        DirectiveSpec("max_concurrent_streams", in: .http2, [.integer(1...10_000)], usage: "max_concurrent_streams N;"),
        DirectiveSpec("max_header_list_size", in: .http2, [.sizeIn(1024...(1 << 20))], usage: "max_header_list_size SIZE;"),
        DirectiveSpec("stream_window", in: .http2, [.sizeIn(65_535...Int(Int32.max))], usage: "stream_window SIZE;"),
        DirectiveSpec("connection_window", in: .http2, [.sizeIn(65_535...Int(Int32.max))], usage: "connection_window SIZE;"),
        DirectiveSpec("max_resets", in: .http2, [.integer(1...100_000), durationKind], usage: "max_resets N DURATION;"),
        DirectiveSpec("max_continuation_frames", in: .http2, [.integer(1...1000)], usage: "max_continuation_frames N;"),
        // listen ADDRESS [tls] { }
        DirectiveSpec(
            "certificate", in: .listen, [.filePath, .filePath, .hostPattern], minimum: 2, variadic: true, repeatable: true,
            usage: "certificate CERT_FILE KEY_FILE [NAME...];"),
        DirectiveSpec("client_ca", in: .listen, [.filePath], usage: "client_ca CA_FILE;"),
        DirectiveSpec(
            "hsts", in: .listen, [.offOrDuration, .keyword(["include_subdomains", "preload"])], minimum: 1, variadic: true,
            usage: "hsts off | DURATION [include_subdomains] [preload];"),
        DirectiveSpec("http2", in: .listen, [.keyword(["on", "off"])], usage: "http2 on | off;"),
        DirectiveSpec("redirect_https", in: .listen, [.port], minimum: 0, usage: "redirect_https [PORT];"),
        // upstream NAME { }
        DirectiveSpec("server", in: .upstream, [.hostPort, .weight], minimum: 1, repeatable: true, usage: "server HOST:PORT [weight=N];"),
        DirectiveSpec(
            "balance", in: .upstream, [.keyword(BalanceAlgorithm.names), .balanceHashKey], minimum: 1,
            usage: "balance round_robin | least_conn | p2c | hash KEY;"),
        DirectiveSpec("connect_timeout", in: .upstream, [durationKind], usage: "connect_timeout DURATION;"),
        DirectiveSpec("first_byte_timeout", in: .upstream, [durationKind], usage: "first_byte_timeout DURATION;"),
        DirectiveSpec("idle_timeout", in: .upstream, [durationKind], usage: "idle_timeout DURATION;"),
        DirectiveSpec("keepalive", in: .upstream, [.integer(0...10_000)], usage: "keepalive N;"),
        DirectiveSpec("keepalive_timeout", in: .upstream, [durationKind], usage: "keepalive_timeout DURATION;"),
        DirectiveSpec("max_connect_attempts", in: .upstream, [.integer(1...10)], usage: "max_connect_attempts N;"),
        DirectiveSpec("tls", in: .upstream, [], block: .upstreamTLS, blockOptional: true, usage: "tls [{ … }]"),
        DirectiveSpec("max_connections", in: .upstream, [.integer(1...1_000_000)], usage: "max_connections N;"),
        DirectiveSpec("max_pending", in: .upstream, [.integer(1...1_000_000)], usage: "max_pending N;"),
        DirectiveSpec("max_requests", in: .upstream, [.integer(1...1_000_000)], usage: "max_requests N;"),
        DirectiveSpec("retries", in: .upstream, [.integer(0...10)], usage: "retries N;"),
        DirectiveSpec("per_try_timeout", in: .upstream, [durationKind], usage: "per_try_timeout DURATION;"),
        DirectiveSpec(
            "retry_on", in: .upstream, [.retryCondition], variadic: true,
            usage: "retry_on connect_failure | reset | timeout | STATUS...;"),
        DirectiveSpec("retry_budget", in: .upstream, [.percent], usage: "retry_budget PERCENT%;"),
        DirectiveSpec(
            "outlier_detection", in: .upstream, [], block: .outlierDetection, blockOptional: true, usage: "outlier_detection [{ … }]"),
        DirectiveSpec("health_check", in: .upstream, [], block: .healthCheck, blockOptional: true, usage: "health_check [{ … }]"),
        DirectiveSpec("slow_start", in: .upstream, [durationKind], usage: "slow_start DURATION;"),
        // upstream NAME { health_check { } }
        DirectiveSpec("type", in: .healthCheck, [.keyword(["http", "tcp"])], usage: "type http | tcp;"),
        DirectiveSpec("path", in: .healthCheck, [.pathPrefix], usage: "path /PATH;"),
        DirectiveSpec("expect", in: .healthCheck, [.statusRange], variadic: true, usage: "expect STATUS | LOW-HIGH...;"),
        DirectiveSpec("host", in: .healthCheck, [.hostName], usage: "host NAME;"),
        DirectiveSpec("interval", in: .healthCheck, [durationKind], usage: "interval DURATION;"),
        DirectiveSpec("timeout", in: .healthCheck, [durationKind], usage: "timeout DURATION;"),
        DirectiveSpec("healthy_threshold", in: .healthCheck, [.integer(1...100)], usage: "healthy_threshold N;"),
        DirectiveSpec("unhealthy_threshold", in: .healthCheck, [.integer(1...100)], usage: "unhealthy_threshold N;"),
        DirectiveSpec("jitter", in: .healthCheck, [.percent], usage: "jitter PERCENT%;"),
        // upstream NAME { outlier_detection { } }
        DirectiveSpec("consecutive_failures", in: .outlierDetection, [.integer(1...1000)], usage: "consecutive_failures N;"),
        DirectiveSpec("base_ejection_time", in: .outlierDetection, [durationKind], usage: "base_ejection_time DURATION;"),
        DirectiveSpec("max_ejection_time", in: .outlierDetection, [durationKind], usage: "max_ejection_time DURATION;"),
        DirectiveSpec("max_ejected_percent", in: .outlierDetection, [.integer(0...100)], usage: "max_ejected_percent N;"),
        // upstream NAME { tls { } }
        DirectiveSpec("verify", in: .upstreamTLS, [.keyword(["on", "off"])], usage: "verify on | off;"),
        DirectiveSpec("ca", in: .upstreamTLS, [.filePath], usage: "ca CA_FILE;"),
        DirectiveSpec("sni", in: .upstreamTLS, [.hostName], usage: "sni NAME;"),
        DirectiveSpec("client_certificate", in: .upstreamTLS, [.filePath, .filePath], usage: "client_certificate CERT_FILE KEY_FILE;"),
        // route PATH { }
        DirectiveSpec("host", in: .route, [.hostPattern], variadic: true, usage: "host PATTERN...;"),
        DirectiveSpec("methods", in: .route, [.method], variadic: true, usage: "methods METHOD...;"),
        DirectiveSpec("proxy", in: .route, [.name], usage: "proxy UPSTREAM;"),
        DirectiveSpec("strip_prefix", in: .route, [.pathPrefix], usage: "strip_prefix PREFIX;"),
        DirectiveSpec("rewrite", in: .route, [.template(allowed: ["path"])], usage: "rewrite TEMPLATE;"),
        DirectiveSpec("host_header", in: .route, [.headerValue], usage: "host_header VALUE;"),
        DirectiveSpec("websocket", in: .route, [.onOff], usage: "websocket on | off;"),
        DirectiveSpec("websocket_idle_timeout", in: .route, [durationKind], usage: "websocket_idle_timeout DURATION;"),
        DirectiveSpec("respond", in: .route, [.status(100...599), .text], minimum: 1, usage: "respond STATUS [BODY];"),
        DirectiveSpec("content_type", in: .route, [.mediaType], usage: "content_type TYPE;"),
        DirectiveSpec("limits", in: .route, [], block: .limits, usage: "limits { … }"),
        DirectiveSpec("security_headers", in: .route, [], block: .securityHeaders, usage: "security_headers { … }"),
        DirectiveSpec("cors", in: .route, [.name], minimum: 0, block: .cors, blockOptional: true, usage: "cors NAME; | cors [NAME] { … }"),
        DirectiveSpec("allow", in: .route, [.cidrOrAll], variadic: true, repeatable: true, usage: "allow CIDR... | all;"),
        DirectiveSpec("deny", in: .route, [.cidrOrAll], variadic: true, repeatable: true, usage: "deny CIDR... | all;"),
        DirectiveSpec("ip_rules_mode", in: .route, [modeKind], usage: "ip_rules_mode enforce | shadow;"),
        DirectiveSpec("auth", in: .route, [.keyword(["jwt"]), .name], minimum: 2, variadic: true, usage: "auth jwt NAME...;"),
        DirectiveSpec("require_scope", in: .route, [.headerValue], variadic: true, repeatable: true, usage: "require_scope SCOPE...;"),
        DirectiveSpec("require_claim", in: .route, [.headerValue], variadic: true, repeatable: true, usage: "require_claim NAME [VALUE...];"),
        DirectiveSpec(
            "compress", in: .route, [.keyword(["off"])], minimum: 0, block: .compress, blockOptional: true,
            usage: "compress off; | compress { … }"),
        DirectiveSpec("cache", in: .route, [.name], usage: "cache NAME;"),
        DirectiveSpec("cache_purge", in: .route, [.cidrOrAll], variadic: true, usage: "cache_purge CIDR... | all;"),
        // jwt NAME { }
        DirectiveSpec("issuer", in: .jwt, [.headerValue], usage: "issuer ISS;"),
        DirectiveSpec("audience", in: .jwt, [.headerValue], variadic: true, repeatable: true, usage: "audience AUD...;"),
        DirectiveSpec("algorithms", in: .jwt, [.jwtAlgorithm], variadic: true, usage: "algorithms ALG...;"),
        DirectiveSpec("jwks_url", in: .jwt, [.jwksURL], usage: "jwks_url https://HOST[:PORT]/PATH;"),
        DirectiveSpec("jwks_ca", in: .jwt, [.path], usage: "jwks_ca PATH;"),
        DirectiveSpec("jwks_file", in: .jwt, [.path], usage: "jwks_file PATH;"),
        DirectiveSpec("key_file", in: .jwt, [.path, .kid], minimum: 1, repeatable: true, usage: "key_file PATH [kid=ID];"),
        DirectiveSpec("secret", in: .jwt, [.text, .kid], minimum: 1, repeatable: true, usage: "secret VALUE [kid=ID];"),
        DirectiveSpec("secret_file", in: .jwt, [.path, .kid], minimum: 1, repeatable: true, usage: "secret_file PATH [kid=ID];"),
        DirectiveSpec("jwks_refresh", in: .jwt, [durationKind], usage: "jwks_refresh DURATION;"),
        DirectiveSpec("jwks_cooldown", in: .jwt, [.duration(allowZero: true)], usage: "jwks_cooldown DURATION;"),
        DirectiveSpec("clock_skew", in: .jwt, [.duration(allowZero: true)], usage: "clock_skew DURATION;"),
        DirectiveSpec("require_exp", in: .jwt, [.onOff], usage: "require_exp on | off;"),
        DirectiveSpec("require_claim", in: .jwt, [.headerValue], variadic: true, repeatable: true, usage: "require_claim NAME [VALUE...];"),
        DirectiveSpec("forward_claim", in: .jwt, [.headerValue, .headerName], repeatable: true, usage: "forward_claim CLAIM HEADER;"),
        DirectiveSpec("cookie", in: .jwt, [.name], usage: "cookie NAME;"),
        DirectiveSpec("mode", in: .jwt, [modeKind], usage: "mode enforce | shadow;"),
        DirectiveSpec("token_cache", in: .jwt, [.offOrInteger(1...1_000_000)], usage: "token_cache N | off;"),
        // limits { } (top level: every request, before routing; route: body, or tighter heads)
        DirectiveSpec("body", in: .limits, [.size], usage: "body SIZE;"),
        DirectiveSpec("headers", in: .limits, [.size], usage: "headers SIZE;"),
        DirectiveSpec("header_count", in: .limits, [.integer(1...10_000)], usage: "header_count N;"),
        DirectiveSpec("header_field", in: .limits, [.size], usage: "header_field SIZE;"),
        DirectiveSpec("target", in: .limits, [.size], usage: "target SIZE;"),
        DirectiveSpec("mode", in: .limits, [modeKind], usage: "mode enforce | shadow;"),
        // security_headers { }
        DirectiveSpec("set", in: .securityHeaders, [.headerName, .headerValue], repeatable: true, usage: "set NAME VALUE;"),
        DirectiveSpec("default", in: .securityHeaders, [.headerName, .headerValue], repeatable: true, usage: "default NAME VALUE;"),
        DirectiveSpec("append", in: .securityHeaders, [.headerName, .headerValue], repeatable: true, usage: "append NAME VALUE;"),
        DirectiveSpec("remove", in: .securityHeaders, [.headerName], variadic: true, repeatable: true, usage: "remove NAME...;"),
        // cors NAME { }
        DirectiveSpec("origins", in: .cors, [.origin], variadic: true, repeatable: true, usage: "origins ORIGIN...;"),
        DirectiveSpec("methods", in: .cors, [.method], variadic: true, usage: "methods METHOD...;"),
        DirectiveSpec("allow_headers", in: .cors, [.headerNameOrStar], variadic: true, repeatable: true, usage: "allow_headers NAME... | *;"),
        DirectiveSpec("expose_headers", in: .cors, [.headerNameOrStar], variadic: true, repeatable: true, usage: "expose_headers NAME...;"),
        DirectiveSpec("credentials", in: .cors, [.onOff], usage: "credentials on | off;"),
        DirectiveSpec("max_age", in: .cors, [.duration(allowZero: true)], usage: "max_age DURATION;"),
        DirectiveSpec("mode", in: .cors, [modeKind], usage: "mode enforce | shadow;"),
        DirectiveSpec("rate_limit", in: .route, [.name, .cost], minimum: 1, repeatable: true, usage: "rate_limit NAME [cost=N];"),
        DirectiveSpec("redirect", in: .route, [.statusAmong([301, 302, 303, 307, 308]), .template(allowed: ["path", "query", "uri", "host"])], usage: "redirect STATUS TEMPLATE;"),
        // rate_limit NAME { }
        DirectiveSpec("rate", in: .rateLimit, [.rate], usage: "rate N/s | N/m | N/h;"),
        DirectiveSpec("burst", in: .rateLimit, [.integer(1...10_000_000)], usage: "burst N;"),
        DirectiveSpec("key", in: .rateLimit, [.rateLimitKey], usage: "key client_ip | header:NAME | jwt:sub | route;"),
        DirectiveSpec("store", in: .rateLimit, [.keyword(["local", "redis"])], usage: "store local | redis;"),
        DirectiveSpec("on_store_error", in: .rateLimit, [.keyword(["open", "closed", "local"])], usage: "on_store_error open | closed | local;"),
        DirectiveSpec("mode", in: .rateLimit, [modeKind], usage: "mode enforce | shadow;"),
        DirectiveSpec("headers", in: .rateLimit, [.keyword(["on", "off"])], usage: "headers on | off;"),
        // compress { }
        DirectiveSpec("types", in: .compress, [.mediaType], variadic: true, usage: "types TYPE...;"),
        DirectiveSpec("min_size", in: .compress, [.size], usage: "min_size SIZE;"),
        DirectiveSpec("level", in: .compress, [.integer(1...9)], usage: "level 1..9;"),
        // cache NAME { }
        DirectiveSpec("max_size", in: .cache, [.sizeIn(1024...(1 << 40))], usage: "max_size SIZE;"),
        DirectiveSpec("max_object", in: .cache, [.sizeIn(1...(1 << 31))], usage: "max_object SIZE;"),
        DirectiveSpec("default_ttl", in: .cache, [.offOrDuration], usage: "default_ttl off | DURATION;"),
        DirectiveSpec("key_headers", in: .cache, [.headerName], variadic: true, usage: "key_headers NAME...;"),
        DirectiveSpec("coalesce_wait", in: .cache, [durationKind], usage: "coalesce_wait DURATION;"),
        // redis URL { }
        DirectiveSpec("timeout", in: .redis, [durationKind], usage: "timeout DURATION;"),
        DirectiveSpec("pool", in: .redis, [.integer(1...64)], usage: "pool N;"),
        DirectiveSpec("password", in: .redis, [.text], usage: "password TEXT;"),
        DirectiveSpec("instances", in: .redis, [.integer(1...10_000)], usage: "instances N;"),
    ])
}
