import GatewayCore
import NIOCore
import NIOHTTP1

/// Cross-origin resource sharing for one route, decided from values prepared once at compile
/// time.
///
/// As a request policy it answers preflights itself (204, or 403 `cors_rejected`) before
/// authentication, so a preflight needs no token and never reaches the upstream. As a response
/// policy it drops every `Access-Control-*` header the upstream sent, adds `Vary: Origin` to
/// every response, and echoes the request's origin only when it is allowed. `null`, `file://`
/// and unknown origins get no CORS headers at all.
public struct CORSPolicy: RequestPolicy, ResponsePolicy {
    public let config: CORSConfig
    private let exactOrigins: Set<CORSOrigin>
    /// The exact origins as browsers send them (canonical form), matched without parsing.
    private let exactOriginTexts: Set<String>
    private let patterns: [OriginPattern]
    private let anyOrigin: Bool
    private let methods: Set<String>
    private let anyHeader: Bool
    private let allowedHeaders: Set<String>
    private let allowMethodsValue: String
    private let allowHeadersValue: String?
    private let exposeHeadersValue: String?
    private let maxAgeValue: String

    public init(config: CORSConfig) {
        self.config = config
        var exact: Set<CORSOrigin> = []
        var patterns: [OriginPattern] = []
        for origin in config.origins {
            if case .exact(let o) = origin { exact.insert(o) } else if origin != .any { patterns.append(origin) }
        }
        self.exactOrigins = exact
        self.exactOriginTexts = Set(exact.map(\.description))
        self.patterns = patterns
        self.anyOrigin = config.origins.contains(.any)
        self.methods = Set(config.methods)
        self.anyHeader = config.allowHeaders.contains("*")
        self.allowedHeaders = Set(config.allowHeaders.map { $0.lowercased() })
        self.allowMethodsValue = (config.methods.isEmpty ? ["GET", "HEAD", "POST"] : config.methods).joined(separator: ", ")
        self.allowHeadersValue = config.allowHeaders.isEmpty ? nil : config.allowHeaders.joined(separator: ", ")
        self.exposeHeadersValue = config.exposeHeaders.isEmpty ? nil : config.exposeHeaders.joined(separator: ", ")
        self.maxAgeValue = String(config.maxAgeSeconds)
    }

    public var name: String { "cors" }

    static let safelistedMethods: Set<String> = ["GET", "HEAD", "POST"]

    /// The value to send in `Access-Control-Allow-Origin` for the request's `Origin`, or `nil`
    /// when the origin is absent, opaque or not allowed.
    public func allowedOrigin(_ header: String?) -> String? {
        guard let header else { return nil }
        // The common case, an allowed origin exactly as listed: parsing it would give it back.
        if exactOriginTexts.contains(header) { return anyOrigin && !config.credentials ? "*" : header }
        guard let origin = CORSOrigin(header) else { return nil }
        if anyOrigin { return config.credentials ? origin.description : "*" }
        if exactOrigins.contains(origin) { return origin.description }
        return patterns.contains(where: { $0.matches(origin) }) ? origin.description : nil
    }

    static func isPreflight(_ head: HTTPRequestHead) -> Bool {
        head.method == .OPTIONS && head.headers.contains(name: "origin") && head.headers.contains(name: "access-control-request-method")
    }

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        let head = request.inbound
        guard Self.isPreflight(head) else { return .proceed }
        guard allowedOrigin(head.headers.first(name: "origin")) != nil else {
            return .reject(.corsRejected(reason: "origin_not_allowed"))
        }
        let method = head.headers.first(name: "access-control-request-method") ?? ""
        guard methods.contains(method) || Self.safelistedMethods.contains(method) else {
            return .reject(.corsRejected(reason: "method_not_allowed"))
        }
        var requested: [Substring] = []
        for value in head.headers[canonicalForm: "access-control-request-headers"] {
            for name in value.split(separator: ",") {
                let trimmed = name.drop(while: { $0 == " " || $0 == "\t" })
                if !trimmed.isEmpty { requested.append(trimmed) }
            }
        }
        if !anyHeader, requested.contains(where: { !allowedHeaders.contains($0.lowercased()) }) {
            return .reject(.corsRejected(reason: "header_not_allowed"))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Access-Control-Allow-Methods", value: allowMethodsValue)
        if !requested.isEmpty {
            // With `*` (never combined with credentials) the requested names are echoed, which
            // every browser understands, rather than relying on the wildcard.
            headers.add(name: "Access-Control-Allow-Headers", value: anyHeader ? requested.joined(separator: ", ") : allowHeadersValue ?? "")
        }
        headers.add(name: "Access-Control-Max-Age", value: maxAgeValue)
        headers.add(name: "Vary", value: "Access-Control-Request-Method, Access-Control-Request-Headers")
        return .respond(GatewayResponse(status: .noContent, headers: headers))
    }

    public func apply(to response: inout ResponseContext, request: RequestContext) {
        if !response.isGatewayResponse, response.headers.contains(where: { $0.name.hasPrefixIgnoringASCIICase("access-control-") }) {
            response.headers = response.headers.filter { !$0.name.hasPrefixIgnoringASCIICase("access-control-") }.reduce(into: HTTPHeaders()) {
                $0.add(name: $1.name, value: $1.value)
            }
        }
        Self.addVaryOrigin(&response.headers)
        guard let origin = allowedOrigin(request.inbound.headers.first(name: "origin")) else { return }
        // An upstream's answer has no Access-Control-* field left: adding needs no search.
        func set(_ name: String, _ value: String) {
            if response.isGatewayResponse {
                response.headers.replaceOrAdd(name: name, value: value)
            } else {
                response.headers.add(name: name, value: value)
            }
        }
        set("Access-Control-Allow-Origin", origin)
        if config.credentials { set("Access-Control-Allow-Credentials", "true") }
        if let exposeHeadersValue, !Self.isPreflight(request.inbound) {
            set("Access-Control-Expose-Headers", exposeHeadersValue)
        }
    }

    /// Adds `Origin` to `Vary` unless it is there already (or `Vary: *` covers it).
    static func addVaryOrigin(_ headers: inout HTTPHeaders) {
        for (name, value) in headers where name.equalsIgnoringASCIICase("vary") {
            for item in value.split(separator: ",") {
                let token = item.trimmingSpaces()
                if token == "*" || token.equalsIgnoringASCIICase("origin") { return }
            }
        }
        headers.add(name: "Vary", value: "Origin")
    }
}
