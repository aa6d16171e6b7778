import GatewayCore
import GatewayPolicies

/// Turns a schema-checked syntax tree into a ``GatewayPlan`` and finds what the schema cannot:
/// undefined and unused upstreams, duplicate routes, overlapping listeners, routes without or
/// with two actions, directives that do not fit the route's action.
///
/// It runs even when validation found problems, so that one run reports everything; values the
/// validator already rejected are skipped here without a second report.
struct PlanCompiler {
    let mainFile: String
    let sourceFiles: [String]
    /// Reads key files named by `jwt` blocks (paths relative to the file that names them).
    let readFile: @Sendable (String) throws -> String
    let tlsFileChecker: (any TLSFileChecker)?
    /// Caches of the running plan by their settings, taken over by a block that did not change.
    let reusableCaches: [CacheConfig: ResponseCache]
    private(set) var diagnostics: [Diagnostic] = []

    init(
        mainFile: String,
        sourceFiles: [String],
        readFile: @escaping @Sendable (String) throws -> String,
        tlsFileChecker: (any TLSFileChecker)? = nil,
        reusableCaches: [CacheConfig: ResponseCache] = [:]
    ) {
        self.mainFile = mainFile
        self.sourceFiles = sourceFiles
        self.readFile = readFile
        self.tlsFileChecker = tlsFileChecker
        self.reusableCaches = reusableCaches
    }

    /// The plan, or `nil` when anything was an error; the diagnostics either way. TLS files are
    /// checked only when a checker is given.
    static func compile(
        _ directives: [Directive],
        mainFile: String,
        sourceFiles: [String],
        readFile: @escaping @Sendable (String) throws -> String,
        tlsFileChecker: (any TLSFileChecker)? = nil,
        reusableCaches: [CacheConfig: ResponseCache] = [:]
    ) -> (plan: GatewayPlan?, diagnostics: [Diagnostic]) {
        var compiler = PlanCompiler(
            mainFile: mainFile, sourceFiles: sourceFiles, readFile: readFile, tlsFileChecker: tlsFileChecker, reusableCaches: reusableCaches)
        let plan = compiler.compile(directives)
        return (compiler.diagnostics.contains(where: \.isError) ? nil : plan, compiler.diagnostics)
    }

    mutating func compile(_ directives: [Directive]) -> GatewayPlan {
        var settings = compileSettings(directives)
        let listeners = compileListeners(directives)
        settings.admin = compileAdmin(directives, listeners: listeners)
        let upstreams = compileUpstreams(directives)
        let policies = compilePolicyDefaults(directives)
        settings.headLimits = policies.headLimits
        let redis = compileRedis(directives)
        let rateLimits = compileRateLimits(directives, redis: redis)
        warnUnused(redis, limits: rateLimits)
        let (routes, used) = compileRoutes(directives, upstreams: upstreams, policies: policies, rateLimits: rateLimits)
        for upstream in upstreams.values.sorted(by: { $0.name < $1.name }) where !used.contains(upstream.name) {
            warn(upstream.location, "upstream", "upstream '\(upstream.name)' is not used by any route", hint: "remove it, or 'proxy \(upstream.name);' in a route")
        }
        return GatewayPlan(
            settings: settings, listeners: listeners, upstreams: upstreams, routes: RouteTable(routes: routes),
            rateLimits: rateLimits, redis: redis, sourceFiles: sourceFiles,
            unroutedResponsePolicies: [SecurityHeadersPolicy(headers: policies.securityHeaders)],
            remoteDocuments: policies.jwt.values.sorted { $0.issuer.name < $1.issuer.name }.compactMap(\.issuer.jwks),
            caches: policies.caches.mapValues { $0.cache })
    }

    mutating func error(_ location: SourceLocation?, _ directive: String?, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, at: location, in: directive, message, hint: hint))
    }

    mutating func warn(_ location: SourceLocation?, _ directive: String?, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.warning, at: location, in: directive, message, hint: hint))
    }

    /// The value of argument `index`, or `nil` when it is missing or invalid (already reported).
    func value<T>(_ directive: Directive, _ index: Int = 0, _ parse: (String) -> Result<T, ValueError>) -> T? {
        guard index < directive.arguments.count else { return nil }
        return try? parse(directive.arguments[index].text).get()
    }

    /// The first directive called `name` (a repeated single directive is reported by validation;
    /// the first one counts).
    func first(_ name: String, in directives: [Directive]) -> Directive? {
        directives.first { $0.name == name }
    }

    /// The parsed first argument of the first directive called `name`; `nil` when it is absent
    /// or invalid (validation reported it).
    func first<T>(_ name: String, in directives: [Directive], _ parse: (String) -> Result<T, ValueError>) -> T? {
        first(name, in: directives).flatMap { value($0, 0, parse) }
    }
}
