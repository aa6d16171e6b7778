import GatewayCore
import GatewayUpstream
import NIOCore
import NIOHTTP1

/// Carries one request to an upstream server and its response back to the client.
///
/// Lives on the client connection's event loop, as does the upstream connection it borrows, so
/// every step is a direct call. Tries another server after the failures of the upstream's
/// ``RetryPolicy``: a failed connect (nothing sent) always; a reset, a per-try timeout or a listed
/// 5xx status only for an idempotent request whose body is empty or kept whole (at most
/// ``RetryPolicy/replayableBodyLimit``), before any byte went to the client, and within the pool's
/// retry budget. A reused keep-alive connection found closed before a body-less request got any
/// answer is re-sent without counting as a retry (nothing was processed).
final class ProxyExchange: UpstreamResponseDelegate {
    private enum State {
        case connecting
        case streaming(UpstreamConnection)
        case done
    }

    private unowned let handler: HTTPExchangeHandler
    private let request: ActiveRequest
    private let pool: UpstreamPool
    private let outboundHead: HTTPRequestHead
    /// The request's key under `balance hash`.
    private let hashKey: UInt64?
    private var state = State.connecting
    private var excluded: Set<Int> = []
    private var attempts = 0
    /// Times the request was sent to a server (the first try and retries).
    private var tries = 0
    /// A slot of the pool's retry budget is held (from the first retry to the end).
    private var holdsRetry = false
    /// The request counts as in flight in the pool (from ``start()`` until it ends).
    private var counted = false
    /// The body as sent so far, kept while it fits ``RetryPolicy/replayableBodyLimit``, so the
    /// request can be sent again.
    private var kept: [ByteBuffer] = []
    private var keptBytes = 0
    private var bodyTooLargeToKeep = false
    /// Only a request that could be re-sent keeps its body (see ``mayRetry(after:)``).
    private let keepsBody: Bool
    private var server: Int?
    /// Body parts read from the client before the upstream connection was ready.
    private var buffered: [ByteBuffer] = []
    private var bufferedBytes = 0
    private var requestEndReceived = false
    private var requestEndSent = false
    private var requestBodySent = false
    private var responseHeadReceived = false
    private var upstreamKeepAlive = true
    /// The upstream answered a WebSocket handshake with 101: its end starts the tunnel.
    private var switchingProtocols = false
    /// What the armed connection deadline means, for the 504's log detail.
    private var timeoutReason = ""
    private var sentAt: NIODeadline?
    private(set) var firstByteNanos: Int64?
    private(set) var serverDescription: String?

    /// Bytes buffered before the client is paused while connecting.
    private static let connectBufferLimit = 64 * 1024

    init(handler: HTTPExchangeHandler, request: ActiveRequest, pool: UpstreamPool, outboundHead: HTTPRequestHead, hashKey: UInt64?) {
        self.handler = handler
        self.request = request
        self.pool = pool
        self.outboundHead = outboundHead
        self.hashKey = hashKey
        let policy = pool.spec.retry
        self.keepsBody =
            policy.retries > 0 && RetryPolicy.isIdempotent(request.head.method.rawValue)
            && policy.retryOn.contains { $0 != .connectFailure }
    }

    private var upstreamName: String { pool.spec.name }

    // MARK: Connecting

    /// Admits the request under the upstream's `max_requests`, then tries the first server.
    func start() {
        if let limit = pool.exchangeStarted() {
            fail(.upstreamOverloaded(upstream: upstreamName, limit: limit))
            return
        }
        counted = true
        tryServer()
    }

    private func tryServer() {
        guard let index = pool.pickServer(excluding: excluded, hashKey: hashKey) else {
            fail(.serviceUnavailable(upstream: upstreamName, reason: pool.everyServerUnhealthy ? "every server failing its health check" : "no server left to try"))
            return
        }
        if attempts > 0 { pool.recordRetry() }
        attempts += 1
        server = index
        serverDescription = pool.server(index).description
        pool.requestStarted(on: index)
        pool.connection(to: index) { [weak self] result in
            guard let self else {
                if case .success(let connection) = result { connection.close() }
                return
            }
            self.connected(result, server: index)
        }
    }

    private func connected(_ result: Result<UpstreamConnection, any Error>, server index: Int) {
        guard case .connecting = state else {
            // Cancelled meanwhile (client gone): the connection is clean, keep it.
            if case .success(let connection) = result { pool.release(connection, reusable: true) }
            return
        }
        switch result {
        case .failure(let error as UpstreamOverloadedError):
            pool.requestFinished(on: index)
            server = nil
            fail(.upstreamOverloaded(upstream: upstreamName, limit: error.limit))
        case .failure(let error):
            pool.recordConnectError()
            pool.recordFailure(on: index)
            pool.requestFinished(on: index)
            server = nil
            excluded.insert(index)
            if pool.spec.retry.retryOn.contains(.connectFailure), attempts < pool.spec.maxConnectAttempts,
                excluded.count < pool.serverCount
            {
                tryServer()
            } else {
                fail(Self.classify(connectError: error, upstream: upstreamName, server: pool.server(index)))
            }
        case .success(let connection):
            tries += 1
            state = .streaming(connection)
            connection.delegate = self
            connection.write(.head(outboundHead))
            for body in buffered {
                connection.write(.body(.byteBuffer(body)))
                requestBodySent = true
            }
            buffered = []
            bufferedBytes = 0
            if requestEndReceived {
                sendEnd(on: connection)
            } else {
                connection.flush()
            }
            if !connection.isWritable { handler.pauseReading() } else { handler.resumeReading() }
        }
    }

    static func classify(connectError error: any Error, upstream: String, server: UpstreamServer) -> GatewayError {
        if case ChannelError.connectTimeout = error {
            return .gatewayTimeout(upstream: upstream, reason: "connect to \(server) timed out")
        }
        return .badGateway(upstream: upstream, reason: "connect to \(server) failed: \(error)")
    }

    // MARK: Request body (client → upstream)

    func forwardBody(_ body: ByteBuffer) {
        keep(body)
        switch state {
        case .connecting:
            buffered.append(body)
            bufferedBytes += body.readableBytes
            if bufferedBytes >= Self.connectBufferLimit { handler.pauseReading() }
        case .streaming(let connection):
            requestBodySent = true
            connection.write(.body(.byteBuffer(body)), flush: true)
            if !connection.isWritable { handler.pauseReading() }
        case .done:
            break
        }
    }

    private func keep(_ body: ByteBuffer) {
        guard keepsBody, !bodyTooLargeToKeep else { return }
        keptBytes += body.readableBytes
        if keptBytes > RetryPolicy.replayableBodyLimit {
            bodyTooLargeToKeep = true
            kept = []
        } else {
            kept.append(body)
        }
    }

    func forwardEnd() {
        requestEndReceived = true
        if case .streaming(let connection) = state, !requestEndSent { sendEnd(on: connection) }
    }

    private func sendEnd(on connection: UpstreamConnection) {
        requestEndSent = true
        connection.write(.end(nil), flush: true)
        sentAt = .now()
        guard !responseHeadReceived else { return }
        if let perTry = pool.spec.retry.perTryTimeout, perTry < pool.spec.firstByteTimeout {
            arm(perTry, reason: "no response within per_try_timeout")
        } else {
            arm(pool.spec.firstByteTimeout, reason: "no response within first_byte_timeout")
        }
    }

    // MARK: Response (upstream → client)

    func upstreamResponseHead(_ head: HTTPResponseHead) {
        guard case .streaming(let connection) = state else { return }
        if let server {
            if head.status.code >= 500 { pool.recordFailure(on: server) } else { pool.recordSuccess(on: server) }
        }
        if head.status.code >= 500, mayRetry(after: .status(Int(head.status.code))) {
            retry(dropping: connection)
            return
        }
        responseHeadReceived = true
        if let sentAt { firstByteNanos = (NIODeadline.now() - sentAt).nanoseconds }
        upstreamKeepAlive = head.isKeepAlive && request.websocketIdleTimeout == nil
        if head.status == .switchingProtocols {
            guard request.websocketIdleTimeout != nil, head.headers[canonicalForm: "upgrade"].first?.lowercased() == "websocket" else {
                fail(.badGateway(upstream: upstreamName, reason: "\(serverDescription ?? "?") switched protocols without a WebSocket handshake to answer"))
                return
            }
            switchingProtocols = true
        }
        arm(pool.spec.idleTimeout, reason: "response stalled beyond idle_timeout")
        var clientHead = HTTPResponseHead(
            version: request.head.version,
            status: head.status,
            headers: ProxyHeaders.clientResponseHeaders(
                head.headers,
                serverHeader: request.plan.settings.serverHeader,
                requestID: request.requestID
            )
        )
        handler.finishHeaders(&clientHead, request: request, gatewayMade: false)
        if switchingProtocols {
            UpgradeRequest.addWebSocketUpgrade(to: &clientHead.headers)
        }
        handler.writeResponseHead(clientHead, request: request)
    }

    func upstreamResponseBody(_ body: ByteBuffer) {
        guard case .streaming(let connection) = state else { return }
        arm(pool.spec.idleTimeout, reason: "response stalled beyond idle_timeout")
        handler.writeResponseBody(body, request: request)
        if !handler.isWritable {
            // Pause before flushing: the flush may drain the client's buffer at once and report
            // it writable again synchronously, and that resume must find the upstream paused.
            connection.pauseReading()
            handler.flush()
        }
    }

    func upstreamReadComplete() {
        if case .streaming = state { handler.flush() }
    }

    func upstreamResponseEnd(_ trailers: HTTPHeaders?) {
        guard case .streaming(let connection) = state else { return }
        connection.clearDeadline()
        state = .done
        if switchingProtocols, let idle = request.websocketIdleTimeout {
            // The exchange is over (max_requests no longer counts it); the server stays counted
            // as busy (least_conn) while the tunnel lasts.
            finishExchange()
            let pool = self.pool
            let server = self.server
            self.server = nil
            handler.startTunnel(request, to: connection, idleTimeout: idle) {
                if let server { pool.requestFinished(on: server) }
            }
            return
        }
        finishServer()
        finishExchange()
        // The upstream answered before the whole request was sent (e.g. an early 413): that
        // connection cannot be reused, and the client's unread body means closing it too.
        let complete = requestEndSent
        if !complete { request.keepAlive = false }
        pool.release(connection, reusable: upstreamKeepAlive && complete)
        handler.finishResponse(request, trailers: trailers)
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable { handler.resumeReading() }
    }

    func downstreamWritable() {
        if case .streaming(let connection) = state { connection.resumeReading() }
    }

    func upstreamClosed(error: (any Error)?) {
        guard case .streaming(let connection) = state else { return }
        cancelTimer()
        if !responseHeadReceived, connection.isReused, !requestBodySent, !request.expectsBody {
            // A keep-alive connection the upstream had already closed: nothing was processed,
            // so the request is safely sent again on another connection.
            if let server { pool.requestFinished(on: server) }
            server = nil
            tries -= 1
            state = .connecting
            tryServer()
            return
        }
        if !responseHeadReceived, let server { pool.recordFailure(on: server) }
        if !responseHeadReceived, mayRetry(after: .reset) {
            retry(dropping: connection)
            return
        }
        let reason = error.map { "connection to \(serverDescription ?? "?") failed: \($0)" }
            ?? "\(serverDescription ?? "?") closed the connection"
        fail(.badGateway(upstream: upstreamName, reason: reason))
    }

    // MARK: Retries

    /// Whether the request may be sent again after `condition`: listed in `retry_on`, tries left,
    /// a server not tried yet, nothing sent to the client, the request safe to repeat (idempotent,
    /// body empty or kept whole) and room in the retry budget (taken here).
    private func mayRetry(after condition: RetryCondition) -> Bool {
        let policy = pool.spec.retry
        guard policy.retryOn.contains(condition), tries <= policy.retries, !request.responseStarted else { return false }
        guard excluded.count + 1 < pool.serverCount else { return false }
        guard RetryPolicy.isIdempotent(request.head.method.rawValue), requestEndReceived, !bodyTooLargeToKeep else { return false }
        if !holdsRetry {
            guard pool.acquireRetry() else { return false }
            holdsRetry = true
        }
        return true
    }

    /// Drops `connection` (its answer is not wanted) and sends the request to another server.
    private func retry(dropping connection: UpstreamConnection) {
        connection.delegate = nil
        connection.close()
        if let server { excluded.insert(server) }
        finishServer()
        state = .connecting
        buffered = kept
        bufferedBytes = keptBytes
        requestEndSent = false
        requestBodySent = false
        responseHeadReceived = false
        upstreamKeepAlive = true
        tryServer()
    }

    // MARK: Failure, timeout, cancellation

    private func arm(_ amount: TimeAmount, reason: String) {
        guard case .streaming(let connection) = state else { return }
        timeoutReason = reason
        connection.setDeadline(after: amount)
    }

    private func cancelTimer() {
        if case .streaming(let connection) = state { connection.clearDeadline() }
    }

    func upstreamDeadlinePassed() {
        guard case .streaming(let connection) = state else { return }
        if !responseHeadReceived, let server { pool.recordFailure(on: server) }
        if !responseHeadReceived, mayRetry(after: .timeout) {
            retry(dropping: connection)
            return
        }
        fail(.gatewayTimeout(upstream: upstreamName, reason: "\(serverDescription ?? "?"): \(timeoutReason)"))
    }

    /// Ends the exchange with an error: a gateway error response if nothing was sent to the
    /// client yet, otherwise the client connection is cut (a truncated response must not look
    /// complete).
    private func fail(_ error: GatewayError) {
        closeUpstream()
        request.errorCode = error.code
        if request.responseStarted {
            handler.closeNow()
        } else {
            handler.respond(error: error, to: request)
        }
    }

    /// The client went away or the request was answered otherwise: drop the upstream side.
    func cancel() {
        closeUpstream()
    }

    /// Marks the exchange done before closing, so the close notification it causes is ignored.
    private func closeUpstream() {
        let previous = state
        state = .done
        finishServer()
        finishExchange()
        if case .streaming(let connection) = previous { connection.close() }
    }

    /// Gives back the exchange's place in the retry budget (once).
    private func finishExchange() {
        guard counted else { return }
        counted = false
        pool.exchangeFinished(heldRetry: holdsRetry)
    }

    private func finishServer() {
        if let server { pool.requestFinished(on: server) }
        server = nil
    }
}

@available(*, unavailable)
extension ProxyExchange: Sendable {}
