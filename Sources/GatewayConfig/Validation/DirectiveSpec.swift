/// Where a directive may appear: the top level or inside one kind of block.
enum ConfigContext: String, Sendable, Hashable, CaseIterable {
    case main
    case timeouts
    case http2
    case listen
    case upstream
    case upstreamTLS = "tls"
    case outlierDetection = "outlier_detection"
    case healthCheck = "health_check"
    case route
    case limits
    case securityHeaders = "security_headers"
    case cors
    case jwt
    case rateLimit = "rate_limit"
    case redis
    case admin
    case compress
    case cache
    case accessLog = "access_log"
    case log

    /// Where the context is, as a diagnostic says it: "at the top level", "in 'upstream' blocks".
    var place: String {
        self == .main ? "at the top level" : "in '\(rawValue)' blocks"
    }
}

/// The schema entry of one directive: where it goes, what it takes, whether it repeats.
struct DirectiveSpec: Sendable {
    let name: String
    let context: ConfigContext
    /// Types of the argument positions; with `variadic`, the last one repeats.
    let arguments: [ArgumentKind]
    let minimumArguments: Int
    let variadic: Bool
    /// The context of the block this directive opens; `nil` when it takes none.
    let block: ConfigContext?
    /// The block may be left out (`listen 8080;` as well as `listen 8080 { … }`).
    let blockOptional: Bool
    let repeatable: Bool
    /// The synopsis shown in hints, e.g. `listen ADDRESS;`.
    let usage: String

    init(
        _ name: String,
        in context: ConfigContext,
        _ arguments: [ArgumentKind],
        minimum: Int? = nil,
        variadic: Bool = false,
        block: ConfigContext? = nil,
        blockOptional: Bool = false,
        repeatable: Bool = false,
        usage: String
    ) {
        self.name = name
        self.context = context
        self.arguments = arguments
        self.minimumArguments = minimum ?? arguments.count
        self.variadic = variadic
        self.block = block
        self.blockOptional = blockOptional
        self.repeatable = repeatable
        self.usage = usage
    }

    var maximumArguments: Int? { variadic ? nil : arguments.count }

    func kind(at index: Int) -> ArgumentKind? {
        if index < arguments.count { return arguments[index] }
        return variadic ? arguments.last : nil
    }
}
