import GatewayCore
import GatewayUpstream
import NIOCore
import NIOHTTP1

/// Refreshes a cache entry that was answered stale under `stale-while-revalidate`, after the
/// client already has its answer (RFC 5861 §3).
///
/// One GET to the route's upstream, on the event loop of the request that triggered it: admitted
/// under the pool's `max_requests`, bounded by the upstream's connect, first-byte and idle
/// timeouts, never retried. Its response goes through the route's response policies exactly as
/// a client's would (so the cache stores the same variant, compressed or not), and the bytes the
/// policies produce are dropped. Every ending, a failure included, passes through those policies
/// once, which ends the key's fill and counts the outcome in the cache.
final class BackgroundRevalidation: UpstreamResponseDelegate {
    private enum State {
        case connecting
        case streaming(UpstreamConnection)
        case done
    }

    private let context: RequestContext
    private let pool: UpstreamPool
    private let outboundHead: HTTPRequestHead
    private let serverHeader: String?
    private let finished: (BackgroundRevalidation) -> Void
    private var state = State.connecting
    private var server: Int?
    private var counted = false
    private var transform: (any ResponseBodyTransform)?

    init(
        context: RequestContext, pool: UpstreamPool, uri: String, serverHeader: String?,
        finished: @escaping (BackgroundRevalidation) -> Void
    ) {
        self.context = context
        self.pool = pool
        self.outboundHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: context.upstreamHeaders)
        self.serverHeader = serverHeader
        self.finished = finished
    }

    /// Ends the refresh of `context` at once with `error` (e.g. while draining): the policies
    /// see a gateway error, so the fill ends and the failure is counted.
    static func abandon(_ context: RequestContext, error: GatewayError) {
        let response = GatewayResponse.error(error, requestID: context.requestID)
        var outcome = ResponseContext(status: response.status, headers: response.headers, isGatewayResponse: true)
        for policy in context.route.responsePolicies { policy.apply(to: &outcome, request: context) }
    }

    func start() {
        if let limit = pool.exchangeStarted() {
            fail(.upstreamOverloaded(upstream: pool.spec.name, limit: limit))
            return
        }
        counted = true
        guard let index = pool.pickServer(excluding: []) else {
            fail(.serviceUnavailable(upstream: pool.spec.name, reason: "no server left to try"))
            return
        }
        server = index
        pool.requestStarted(on: index)
        pool.connection(to: index) { [self] result in
            guard case .connecting = state else {
                if case .success(let connection) = result { pool.release(connection, reusable: true) }
                return
            }
            switch result {
            case .success(let connection):
                state = .streaming(connection)
                connection.delegate = self
                connection.write(.head(outboundHead))
                connection.write(.end(nil), flush: true)
                connection.setDeadline(after: pool.spec.firstByteTimeout)
            case .failure(let error):
                pool.recordConnectError()
                pool.recordFailure(on: index)
                fail(ProxyExchange.classify(connectError: error, upstream: pool.spec.name, server: pool.server(index)))
            }
        }
    }

    /// Drops the refresh (shutdown): the upstream connection closes, the fill ends.
    func cancel() {
        fail(.serviceUnavailable(upstream: pool.spec.name, reason: "gateway stopping"))
    }

    // MARK: UpstreamResponseDelegate

    func upstreamResponseHead(_ head: HTTPResponseHead) {
        guard case .streaming(let connection) = state else { return }
        if let server {
            if head.status.code >= 500 { pool.recordFailure(on: server) } else { pool.recordSuccess(on: server) }
        }
        let headers = ProxyHeaders.clientResponseHeaders(head.headers, serverHeader: serverHeader, requestID: context.requestID)
        var response = ResponseContext(status: head.status, headers: headers, isGatewayResponse: false)
        for policy in context.route.responsePolicies { policy.apply(to: &response, request: context) }
        guard let factory = response.bodyTransform else {
            // Nothing will be kept: the body is not worth reading.
            end(connection, reusable: false)
            return
        }
        transform = factory.makeTransform(allocator: connection.channel.allocator)
        connection.setDeadline(after: pool.spec.idleTimeout)
    }

    func upstreamResponseBody(_ body: ByteBuffer) {
        guard case .streaming(let connection) = state else { return }
        connection.setDeadline(after: pool.spec.idleTimeout)
        _ = transform?.transform(body)
    }

    func upstreamResponseEnd(_ trailers: HTTPHeaders?) {
        guard case .streaming(let connection) = state else { return }
        _ = transform?.finish()
        end(connection, reusable: true)
    }

    func upstreamReadComplete() {}
    func upstreamWritabilityChanged(isWritable: Bool) {}

    func upstreamClosed(error: (any Error)?) {
        guard case .streaming = state else { return }
        if transform == nil, let server { pool.recordFailure(on: server) }
        fail(.badGateway(upstream: pool.spec.name, reason: "connection closed during a background revalidation"))
    }

    func upstreamDeadlinePassed() {
        guard case .streaming = state else { return }
        if transform == nil, let server { pool.recordFailure(on: server) }
        fail(.gatewayTimeout(upstream: pool.spec.name, reason: "background revalidation timed out"))
    }

    // MARK: Ending

    /// A complete response: the connection goes back to the pool (or closes).
    private func end(_ connection: UpstreamConnection, reusable: Bool) {
        connection.clearDeadline()
        connection.delegate = nil
        state = .done
        release()
        pool.release(connection, reusable: reusable)
        transform = nil
        finished(self)
    }

    /// Any failure: before the head the policies see the error; after it, dropping the body
    /// capture unfinished stores nothing and ends the fill.
    private func fail(_ error: GatewayError) {
        let previous = state
        if case .done = previous { return }
        state = .done
        release()
        if case .streaming(let connection) = previous {
            connection.delegate = nil
            connection.close()
        }
        if transform == nil { Self.abandon(context, error: error) }
        transform = nil
        finished(self)
    }

    private func release() {
        if let server { pool.requestFinished(on: server) }
        server = nil
        if counted { pool.exchangeFinished(heldRetry: false) }
        counted = false
    }
}

@available(*, unavailable)
extension BackgroundRevalidation: Sendable {}
