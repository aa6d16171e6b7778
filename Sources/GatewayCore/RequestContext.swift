import NIOHTTP1

/// What the pipeline knows about one request, built once after validation and routing.
///
/// The inbound head is kept unchanged; ``upstreamHeaders`` is the separate outbound set that
/// policies may extend (e.g. claims forwarded as headers), so nothing a policy does can alter what
/// the next policy sees of the client's request.
public struct RequestContext: Sendable {
    public let inbound: HTTPRequestHead
    public let validated: ValidatedRequest
    public let route: Route
    /// The client address after `trusted_proxies` resolution.
    public let clientAddress: IPAddress?
    public let requestID: String
    /// Headers sent upstream (already cleaned of hop-by-hop and spoofable headers).
    public var upstreamHeaders: HTTPHeaders
    /// The IO-backed services (rate-limit stores) of the plan this request runs under.
    public let services: PolicyServices
    /// The authenticated principal (the JWT `sub` claim), set by an authentication policy that
    /// ran earlier in the chain; `nil` when none did or the token had no subject. Rate limits keyed
    /// `jwt:sub` read it and fall back to the client address without it.
    public var authenticatedSubject: String?
    /// What each rate limit of the route decided, in policy order: the source of the
    /// `RateLimit-Policy`/`RateLimit` response headers and the access log's `rate_limit` field.
    public var rateLimits: [RateLimitStatus] = []

    public init(
        inbound: HTTPRequestHead,
        validated: ValidatedRequest,
        route: Route,
        clientAddress: IPAddress?,
        requestID: String,
        upstreamHeaders: HTTPHeaders,
        services: PolicyServices = .none,
        authenticatedSubject: String? = nil
    ) {
        self.inbound = inbound
        self.validated = validated
        self.route = route
        self.clientAddress = clientAddress
        self.requestID = requestID
        self.upstreamHeaders = upstreamHeaders
        self.services = services
        self.authenticatedSubject = authenticatedSubject
    }

    public var method: String { inbound.method.rawValue }
}

/// A response on its way to the client, for response policies to adjust.
public struct ResponseContext: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    /// Whether the gateway made this response (error, static, policy answer) rather than the
    /// upstream.
    public let isGatewayResponse: Bool

    public init(status: HTTPResponseStatus, headers: HTTPHeaders, isGatewayResponse: Bool) {
        self.status = status
        self.headers = headers
        self.isGatewayResponse = isGatewayResponse
    }
}
