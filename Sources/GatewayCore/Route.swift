import NIOCore

/// One compiled route: what it matches, what it does, and the policies that run for it.
///
/// A reference type so that a request carries it by pointer; immutable once compiled.
public final class Route: Sendable, CustomStringConvertible {
    /// Hosts this route answers; empty means every host.
    public let hosts: [HostPattern]
    public let path: PathPattern
    /// Allowed methods (upper case); `nil` means every method.
    public let methods: Set<String>?
    public let action: RouteAction
    /// Request policies in plan order (size limits → CORS preflight → IP rules → JWT → rate limit
    /// → cache lookup). Each may answer the request itself.
    public let requestPolicies: [any RequestPolicy]
    /// Response policies in plan order (compression → cache store → rate-limit headers → CORS →
    /// security headers): the cache keeps what compression made, without per-request headers.
    public let responsePolicies: [any ResponsePolicy]
    public let location: SourceLocation?

    public init(
        hosts: [HostPattern] = [],
        path: PathPattern,
        methods: Set<String>? = nil,
        action: RouteAction,
        requestPolicies: [any RequestPolicy] = [],
        responsePolicies: [any ResponsePolicy] = [],
        location: SourceLocation? = nil
    ) {
        self.hosts = hosts
        self.path = path
        self.methods = methods
        self.action = action
        self.requestPolicies = requestPolicies
        self.responsePolicies = responsePolicies
        self.location = location
    }

    /// The short name used in logs and `explain`: the path pattern, then hosts and methods.
    public var name: String {
        var name = path.description
        if !hosts.isEmpty { name += " host=" + hosts.map(\.description).joined(separator: ",") }
        if let methods { name += " methods=" + methods.sorted().joined(separator: ",") }
        return name
    }

    public var description: String {
        if let location { return "\(name) (\(location))" }
        return name
    }

    public func allows(method: String) -> Bool {
        methods?.contains(method) ?? true
    }
}

/// What a route does with a request that reaches it.
public enum RouteAction: Sendable {
    case proxy(ProxyTarget)
    case respond(StaticResponse)
    case redirect(Redirect)
}

/// Forwarding to an upstream group, with the path rewritten first if configured.
public struct ProxyTarget: Sendable, Hashable {
    public var upstream: String
    /// Removed from the start of the path before forwarding (the result keeps a leading `/`).
    public var stripPrefix: String?
    /// Replaces the path; `{path}` stands for the path after `stripPrefix`.
    public var rewrite: PathTemplate?
    /// `Host` sent upstream; `nil` passes the client's.
    public var hostHeader: String?
    /// How long a WebSocket tunnel may stay silent in both directions before it is closed; `nil`
    /// when the route does not tunnel WebSocket upgrades.
    public var websocketIdleTimeout: TimeAmount?

    public init(
        upstream: String,
        stripPrefix: String? = nil,
        rewrite: PathTemplate? = nil,
        hostHeader: String? = nil,
        websocketIdleTimeout: TimeAmount? = nil
    ) {
        self.upstream = upstream
        self.stripPrefix = stripPrefix
        self.rewrite = rewrite
        self.hostHeader = hostHeader
        self.websocketIdleTimeout = websocketIdleTimeout
    }

    /// The path sent upstream for a normalised request path.
    public func upstreamPath(for path: Substring) -> String {
        var path = path
        if let prefix = stripPrefix, path.hasPrefix(prefix) {
            path = path.dropFirst(prefix.count)
        }
        let stripped = path.first == "/" ? String(path) : "/" + path
        guard let rewrite else { return stripped }
        return rewrite.render(path: stripped, query: nil, host: nil)
    }
}

/// A static answer configured on a route.
public struct StaticResponse: Sendable, Hashable {
    public var status: Int
    public var body: String
    public var contentType: String

    public init(status: Int, body: String = "", contentType: String = "text/plain; charset=utf-8") {
        self.status = status
        self.body = body
        self.contentType = contentType
    }
}

/// A redirect configured on a route; `{path}`, `{query}`, `{uri}` and `{host}` are substituted.
public struct Redirect: Sendable, Hashable {
    public var status: Int
    public var location: PathTemplate

    public init(status: Int, location: PathTemplate) {
        self.status = status
        self.location = location
    }
}
