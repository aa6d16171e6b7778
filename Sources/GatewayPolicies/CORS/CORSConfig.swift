import GatewayCore

/// A CORS policy as configured (`cors NAME { … }` or inline in a route), before it is compiled
/// into a ``CORSPolicy``. Lists add up when a route extends a named policy.
public struct CORSConfig: Sendable, Hashable {
    public var origins: [OriginPattern]
    /// Methods a preflight may ask for (upper case). CORS-safelisted methods (GET, HEAD, POST)
    /// are always allowed; they are what `Access-Control-Allow-Methods` lists when this is empty.
    public var methods: [String]
    /// Request headers a preflight may ask for; `["*"]` allows any (only without credentials).
    public var allowHeaders: [String]
    /// Response headers scripts may read beyond the safelisted ones.
    public var exposeHeaders: [String]
    public var credentials: Bool
    /// How long a browser may cache a preflight answer, in seconds.
    public var maxAgeSeconds: Int
    /// `mode shadow`: a preflight the policy would refuse is let through to the upstream (and
    /// recorded); the response side is unchanged, so a disallowed origin never gets CORS headers.
    public var mode: PolicyMode

    public init(
        origins: [OriginPattern] = [],
        methods: [String] = [],
        allowHeaders: [String] = [],
        exposeHeaders: [String] = [],
        credentials: Bool = false,
        maxAgeSeconds: Int = 600,
        mode: PolicyMode = .enforce
    ) {
        self.origins = origins
        self.methods = methods
        self.allowHeaders = allowHeaders
        self.exposeHeaders = exposeHeaders
        self.credentials = credentials
        self.maxAgeSeconds = maxAgeSeconds
        self.mode = mode
    }

    /// Whether `*` would be sent where credentials forbid it (Fetch §3.2.5: with credentials a
    /// wildcard is taken literally, and allowing any origin with cookies is never intended).
    public var combinesWildcardWithCredentials: Bool {
        credentials && (origins.contains(.any) || allowHeaders.contains("*") || exposeHeaders.contains("*"))
    }
}
