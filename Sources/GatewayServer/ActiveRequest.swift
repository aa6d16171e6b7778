import GatewayCore
import NIOCore
import NIOHTTP1

/// The state of the one request a client connection is serving.
///
/// Not Sendable: it lives on the connection's event loop.
final class ActiveRequest {
    let head: HTTPRequestHead
    let plan: GatewayPlan
    let start: NIODeadline
    let requestID: String
    var validated: ValidatedRequest?
    var context: RequestContext?
    /// Whether the client connection stays open after this response.
    var keepAlive: Bool
    /// The request's `.end` has been read.
    var requestEnded = false
    var bytesIn = 0
    var bytesOut = 0
    var responseStarted = false
    var status = 0
    var errorCode: String?
    /// The stable reason of a policy rejection, for the access log.
    var errorReason: String?
    /// The request policy that answered or refused the request.
    var decidedBy: String?
    /// The body limit of the route (from ``RequestContext/bodyLimit``), checked as the body streams.
    var bodyLimit: Int?
    /// In a route whose limits are in `mode shadow`: the streamed body size past which a would-be
    /// 413 is recorded (``RequestContext/shadowBodyLimit``); cleared once it is.
    var shadowBodyLimit: Int?
    /// A would-be refusal found after the policies ran (a shadowed body limit passed).
    var lateShadowRejection: ShadowRejection?
    /// The upstream exchange; it refers back to this request, so the handler sets this to `nil`
    /// when it is done with the request (finished, client gone, tunnel closed).
    var proxy: ProxyExchange?
    /// The W3C trace id sent upstream (proxied requests only), for the access log.
    var traceID: String?
    /// The counters of the matched route, picked when the request was routed.
    var routeMetrics: RouteMetrics?
    /// How the route's cache served the request; `nil` on routes without a cache.
    var cacheResult: CacheResult?
    /// Body parts that arrived while a policy decision was pending.
    var pendingBody: [ByteBuffer] = []
    var decisionPending = false
    /// Set when the request is a WebSocket handshake the route tunnels: the tunnel's idle time.
    var websocketIdleTimeout: TimeAmount?
    /// The connection became a WebSocket tunnel after a 101 answer.
    var tunnelled = false
    /// The rewrite of the response body a response policy chose (gzip), fed every part.
    var bodyTransform: (any ResponseBodyTransform)?

    #if DEBUG
    /// Counts this request as in memory until it is freed (debug builds, for tests).
    var instanceCount: InstanceCount? {
        didSet {
            oldValue?.add(-1)
            instanceCount?.add(1)
        }
    }

    deinit {
        instanceCount?.add(-1)
    }
    #endif

    init(head: HTTPRequestHead, plan: GatewayPlan, requestID: String, keepAlive: Bool) {
        self.head = head
        self.plan = plan
        self.start = .now()
        self.requestID = requestID
        self.keepAlive = keepAlive
    }

    var route: Route? { context?.route }

    /// Every refusal a policy in `mode shadow` would have made, for the logs and metrics.
    var shadowRejections: [ShadowRejection] {
        let early = context?.shadowRejections ?? []
        guard let late = lateShadowRejection else { return early }
        return early + [late]
    }

    /// The framing the client declared; before validation assume a body may follow.
    var expectsBody: Bool { validated?.hasBody ?? true }
}

@available(*, unavailable)
extension ActiveRequest: Sendable {}
