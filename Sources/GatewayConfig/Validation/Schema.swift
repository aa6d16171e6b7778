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

    static let gateway = Schema([
        // Top level.
        DirectiveSpec("worker_threads", in: .main, [.autoOrInteger(1...1024)], usage: "worker_threads auto | N;"),
        DirectiveSpec("trusted_proxies", in: .main, [.cidr], variadic: true, repeatable: true, usage: "trusted_proxies CIDR...;"),
        DirectiveSpec("server_header", in: .main, [.offOrHeaderValue], usage: "server_header off | NAME;"),
        DirectiveSpec("access_log", in: .main, [.logTarget], usage: "access_log off | stdout | PATH;"),
        DirectiveSpec("drain_timeout", in: .main, [.duration(allowZero: true)], usage: "drain_timeout DURATION;"),
        DirectiveSpec("timeouts", in: .main, [], block: .timeouts, usage: "timeouts { … }"),
        DirectiveSpec("listen", in: .main, [.listenAddress], repeatable: true, usage: "listen ADDRESS;"),
        DirectiveSpec("upstream", in: .main, [.name], block: .upstream, repeatable: true, usage: "upstream NAME { … }"),
        DirectiveSpec("route", in: .main, [.pathPattern], block: .route, repeatable: true, usage: "route PATH { … }"),
        DirectiveSpec("rate_limit", in: .main, [.name], block: .rateLimit, repeatable: true, usage: "rate_limit NAME { … }"),
        DirectiveSpec("redis", in: .main, [.redisURL], block: .redis, usage: "redis redis://HOST:PORT/DB { … }"),
        // timeouts { }
        DirectiveSpec("request_head", in: .timeouts, [durationKind], usage: "request_head DURATION;"),
        DirectiveSpec("body_idle", in: .timeouts, [durationKind], usage: "body_idle DURATION;"),
        DirectiveSpec("keepalive_idle", in: .timeouts, [durationKind], usage: "keepalive_idle DURATION;"),
        DirectiveSpec("send_idle", in: .timeouts, [durationKind], usage: "send_idle DURATION;"),
        // upstream NAME { }
        DirectiveSpec("server", in: .upstream, [.hostPort, .weight], minimum: 1, repeatable: true, usage: "server HOST:PORT [weight=N];"),
        DirectiveSpec("balance", in: .upstream, [.keyword(["round_robin", "least_conn"])], usage: "balance round_robin | least_conn;"),
        DirectiveSpec("connect_timeout", in: .upstream, [durationKind], usage: "connect_timeout DURATION;"),
        DirectiveSpec("first_byte_timeout", in: .upstream, [durationKind], usage: "first_byte_timeout DURATION;"),
        DirectiveSpec("idle_timeout", in: .upstream, [durationKind], usage: "idle_timeout DURATION;"),
        DirectiveSpec("keepalive", in: .upstream, [.integer(0...10_000)], usage: "keepalive N;"),
        DirectiveSpec("keepalive_timeout", in: .upstream, [durationKind], usage: "keepalive_timeout DURATION;"),
        DirectiveSpec("max_connect_attempts", in: .upstream, [.integer(1...10)], usage: "max_connect_attempts N;"),
        // route PATH { }
        DirectiveSpec("host", in: .route, [.hostPattern], variadic: true, usage: "host PATTERN...;"),
        DirectiveSpec("methods", in: .route, [.method], variadic: true, usage: "methods METHOD...;"),
        DirectiveSpec("proxy", in: .route, [.name], usage: "proxy UPSTREAM;"),
        DirectiveSpec("strip_prefix", in: .route, [.pathPrefix], usage: "strip_prefix PREFIX;"),
        DirectiveSpec("rewrite", in: .route, [.template(allowed: ["path"])], usage: "rewrite TEMPLATE;"),
        DirectiveSpec("host_header", in: .route, [.headerValue], usage: "host_header VALUE;"),
        DirectiveSpec("respond", in: .route, [.status(100...599), .text], minimum: 1, usage: "respond STATUS [BODY];"),
        DirectiveSpec("content_type", in: .route, [.mediaType], usage: "content_type TYPE;"),
        DirectiveSpec("rate_limit", in: .route, [.name, .cost], minimum: 1, repeatable: true, usage: "rate_limit NAME [cost=N];"),
        DirectiveSpec("redirect", in: .route, [.statusAmong([301, 302, 303, 307, 308]), .template(allowed: ["path", "query", "uri", "host"])], usage: "redirect STATUS TEMPLATE;"),
        // rate_limit NAME { }
        DirectiveSpec("rate", in: .rateLimit, [.rate], usage: "rate N/s | N/m | N/h;"),
        DirectiveSpec("burst", in: .rateLimit, [.integer(1...10_000_000)], usage: "burst N;"),
        DirectiveSpec("key", in: .rateLimit, [.rateLimitKey], usage: "key client_ip | header:NAME | jwt:sub | route;"),
        DirectiveSpec("store", in: .rateLimit, [.keyword(["local", "redis"])], usage: "store local | redis;"),
        DirectiveSpec("on_store_error", in: .rateLimit, [.keyword(["open", "closed", "local"])], usage: "on_store_error open | closed | local;"),
        DirectiveSpec("mode", in: .rateLimit, [.keyword(["enforce", "shadow"])], usage: "mode enforce | shadow;"),
        DirectiveSpec("headers", in: .rateLimit, [.keyword(["on", "off"])], usage: "headers on | off;"),
        // redis URL { }
        DirectiveSpec("timeout", in: .redis, [durationKind], usage: "timeout DURATION;"),
        DirectiveSpec("pool", in: .redis, [.integer(1...64)], usage: "pool N;"),
        DirectiveSpec("password", in: .redis, [.text], usage: "password TEXT;"),
        DirectiveSpec("instances", in: .redis, [.integer(1...10_000)], usage: "instances N;"),
    ])
}
