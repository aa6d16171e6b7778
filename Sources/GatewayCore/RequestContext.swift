import NIOCore
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
    /// When the request head arrived, in whole seconds since 1970 (the server's wall clock), for
    /// policies that compare with timestamps (token expiry). Pure code never reads a clock itself.
    public let receivedAt: Int64
    /// Headers sent upstream (already cleaned of hop-by-hop and spoofable headers). Made from
    /// ``upstreamHeadersSource`` when first read or changed, so a request the gateway answers
    /// itself never pays for them.
    public var upstreamHeaders: HTTPHeaders {
        get { upstreamHeadersStorage ?? upstreamHeadersSource?.make() ?? HTTPHeaders() }
        set { upstreamHeadersStorage = newValue }
        _modify {
            if upstreamHeadersStorage == nil { upstreamHeadersStorage = upstreamHeadersSource?.make() ?? HTTPHeaders() }
            yield &upstreamHeadersStorage!
        }
    }
    private var upstreamHeadersStorage: HTTPHeaders?
    /// Where ``upstreamHeaders`` come from until they are first changed; `nil` for none.
    public let upstreamHeadersSource: UpstreamHeadersSource?
    /// The largest request body accepted, in bytes; `nil` for no limit. Set by the limits policy;
    /// the exchange counts a streamed (chunked) body against it and answers 413 when it is passed.
    public var bodyLimit: Int?
    /// The IO-backed services (rate-limit stores) of the plan this request runs under.
    public let services: PolicyServices
    /// What policies keep on this request's event loop between requests (verified tokens);
    /// `nil` where no loop serves the request (`gateway explain`, unit tests without one).
    public let loopState: NIOLoopBound<PolicyLoopState>?
    /// The authenticated principal (the JWT `sub` claim), set by an authentication policy that
    /// ran earlier in the chain; `nil` when none did or the token had no subject. Rate limits keyed
    /// `jwt:sub` read it and fall back to the client address without it.
    public var authenticatedSubject: String?
    /// What each rate limit of the route decided, in policy order: the source of the
    /// `RateLimit-Policy`/`RateLimit` response headers and the access log's `rate_limit` field.
    public var rateLimits: [RateLimitStatus] = []
    /// The refusals policies in `mode shadow` would have made, in policy order.
    public var shadowRejections: [ShadowRejection] = []
    /// In a route whose limits are in `mode shadow`: the body size past which the exchange
    /// records a would-be 413 and goes on streaming (``bodyLimit`` is then `nil`).
    public var shadowBodyLimit: Int?
    /// What the route's cache lookup found, for the cache's response side; `nil` without a cache.
    public var cache: (any CacheRequestState)?

    public init(
        inbound: HTTPRequestHead,
        validated: ValidatedRequest,
        route: Route,
        clientAddress: IPAddress?,
        requestID: String,
        receivedAt: Int64,
        upstreamHeaders: HTTPHeaders? = nil,
        upstreamHeadersSource: UpstreamHeadersSource? = nil,
        bodyLimit: Int? = nil,
        services: PolicyServices = .none,
        loopState: NIOLoopBound<PolicyLoopState>? = nil,
        authenticatedSubject: String? = nil
    ) {
        self.inbound = inbound
        self.validated = validated
        self.route = route
        self.clientAddress = clientAddress
        self.requestID = requestID
        self.receivedAt = receivedAt
        self.upstreamHeadersStorage = upstreamHeaders
        self.upstreamHeadersSource = upstreamHeadersSource
        self.bodyLimit = bodyLimit
        self.services = services
        self.loopState = loopState
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
    /// The rewrite the body gets on its way out (set by a policy that also adjusted the headers
    /// to match, e.g. `Content-Encoding`); `nil` sends the body as it is.
    public var bodyTransform: (any ResponseBodyTransformFactory)?
    /// How the route's cache served the request (set by the cache policy), for metrics.
    public var cacheResult: CacheResult?

    public init(
        status: HTTPResponseStatus, headers: HTTPHeaders, isGatewayResponse: Bool,
        bodyTransform: (any ResponseBodyTransformFactory)? = nil
    ) {
        self.status = status
        self.headers = headers
        self.isGatewayResponse = isGatewayResponse
        self.bodyTransform = bodyTransform
    }
}
