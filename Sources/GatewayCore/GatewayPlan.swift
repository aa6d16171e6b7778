/// The immutable, compiled form of a configuration: everything a request needs, decided once.
///
/// A running request keeps the plan it started with; a reload compiles a new plan and swaps it in.
public final class GatewayPlan: Sendable {
    public let settings: ServerSettings
    public let listeners: [ListenerSpec]
    /// Upstream groups by name.
    public let upstreams: [String: UpstreamSpec]
    public let routes: RouteTable
    /// Named rate limits (`rate_limit NAME { … }`) by name.
    public let rateLimits: [String: RateLimitSpec]
    /// The Redis that `store redis` limits use; `nil` when none is configured.
    public let redis: RedisSpec?
    /// The files the plan was compiled from (the main file first, then includes).
    public let sourceFiles: [String]
    /// Response policies for answers given before any route matched (400, 404, 405, 431, 414),
    /// so that those carry the same security headers as every other response.
    public let unroutedResponsePolicies: [any UnroutedResponsePolicy]
    /// Documents policies need from the network (JWKS), fetched by the server off the event loops.
    public let remoteDocuments: [any RemoteDocumentSource]
    /// Response caches (`cache NAME { … }`) by name, for purging (admin) and metrics.
    public let caches: [String: any ResponseCacheStore]

    public init(
        settings: ServerSettings,
        listeners: [ListenerSpec],
        upstreams: [String: UpstreamSpec],
        routes: RouteTable,
        rateLimits: [String: RateLimitSpec] = [:],
        redis: RedisSpec? = nil,
        sourceFiles: [String] = [],
        unroutedResponsePolicies: [any UnroutedResponsePolicy] = [],
        remoteDocuments: [any RemoteDocumentSource] = [],
        caches: [String: any ResponseCacheStore] = [:]
    ) {
        self.settings = settings
        self.listeners = listeners
        self.upstreams = upstreams
        self.routes = routes
        self.rateLimits = rateLimits
        self.redis = redis
        self.sourceFiles = sourceFiles
        self.unroutedResponsePolicies = unroutedResponsePolicies
        self.remoteDocuments = remoteDocuments
        self.caches = caches
    }
}
