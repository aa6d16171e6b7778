import GatewayCore
import GatewayUpstream
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Serves the requests of one HTTP/1 client connection, one at a time, or the one request of an
/// HTTP/2 stream, through the pipeline of DESIGN.md: validate and normalise → route → request
/// policies → action (respond, redirect or proxy) → response policies.
///
/// It also carries backpressure for the request body (reads are withheld while the upstream
/// cannot take more), the per-request timeouts of the client side, and HTTP/1.1 pipelining:
/// requests that arrive while one is being answered wait in order, and reading stops until they
/// are served. Reads are never withheld otherwise, so a keep-alive connection does not change
/// its epoll registration on every request. On an HTTP/2 stream the connection-level parts
/// (keep-alive, `Connection` headers, request-head timeouts, pipelining) do not apply: the
/// stream ends with its response, and NIOHTTP2 guards the connection.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let loop: LoopContext
    /// `nil` on an HTTP/2 stream.
    private let connectionTimeouts: ConnectionTimeoutHandler?
    private let peer: IPAddress?
    private let listener: ListenerBinding
    private var isHTTP2: Bool { connectionTimeouts == nil }
    private var context: ChannelHandlerContext?
    private(set) var current: ActiveRequest?
    private var readPaused = false
    /// What arrived while another request was being answered, in order.
    private var pipelined: [Pipelined] = []

    private enum Pipelined {
        case part(HTTPServerRequestPart)
        case malformed(GatewayError)
    }
    private var readPending = false
    private var draining = false
    private var closing = false
    private var bodyIdleTimer: DeadlineTimer?
    private var sendIdleTimer: Scheduled<Void>?

    /// `connectionTimeouts` is `nil` for an HTTP/2 stream.
    init(loop: LoopContext, connectionTimeouts: ConnectionTimeoutHandler?, peer: IPAddress?, listener: ListenerBinding) {
        self.loop = loop
        self.connectionTimeouts = connectionTimeouts
        self.peer = peer
        self.listener = listener
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        bodyIdleTimer = DeadlineTimer(eventLoop: context.eventLoop) { [weak self] in self?.bodyIdleExpired() }
        loop.register(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        bodyIdleTimer?.invalidate()
        sendIdleTimer?.cancel()
        if let request = current, request.tunnelled {
            // A WebSocket tunnel ended (either side closed, or it was idle too long).
            log(request)
            request.proxy = nil
            current = nil
        } else if let request = current {
            // The client went away mid-request: stop the upstream side, log what happened.
            request.proxy?.cancel()
            if request.status == 0 { request.status = 499 }
            request.errorCode = request.errorCode ?? "client_closed"
            loop.metrics.record(request)
            log(request)
            request.proxy = nil
            current = nil
        }
        loop.unregister(self)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a `Connection: close` answer nothing more is read as a request.
        guard !closing else { return }
        let part = unwrapInboundIn(data)
        if !pipelined.isEmpty {
            pipelined.append(.part(part))
        } else if case .head = part, current != nil {
            pipelined.append(.part(part))
        } else {
            handle(part)
        }
    }

    /// Serves the pipelined requests that waited for the one just answered, in order.
    private func servePipelined() {
        while let next = pipelined.first {
            switch next {
            case .part(.head), .malformed: if current != nil { return }
            case .part: break
            }
            pipelined.removeFirst()
            switch next {
            case .part(let part): handle(part)
            case .malformed(let error): respondMalformed(error)
            }
        }
        readIfPending()
    }

    private func handle(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head):
            receivedHead(head)
        case .body(let body):
            guard let request = current else { return }
            if request.validated?.framing == BodyFraming.none, body.readableBytes > 0 {
                // An HTTP/2 GET/HEAD/DELETE may carry DATA without Content-Length; no framing
                // was declared upstream, so its bytes must never be forwarded.
                unframedBody(request)
                return
            }
            request.bytesIn += body.readableBytes
            if let limit = request.bodyLimit, request.bytesIn > limit {
                refuseBody(of: request, limit: limit)
                return
            }
            if let limit = request.shadowBodyLimit, request.bytesIn > limit {
                // Limits in `mode shadow`: record the 413 once and keep streaming.
                request.shadowBodyLimit = nil
                request.lateShadowRejection = ShadowRejection(policy: "limits", error: .payloadTooLarge(limit: limit))
            }
            armBodyIdleTimer()
            if request.decisionPending {
                request.pendingBody.append(body)
            } else {
                request.proxy?.forwardBody(body)
            }
        case .end:
            guard let request = current else { return }
            request.requestEnded = true
            bodyIdleTimer?.clear()
            if !request.decisionPending { request.proxy?.forwardEnd() }
        }
    }

    private func unframedBody(_ request: ActiveRequest) {
        request.keepAlive = false
        request.requestEnded = true
        if request.responseStarted {
            request.errorCode = "unframed_body"
            closeNow()
        } else {
            request.proxy?.cancel()
            request.proxy = nil
            respond(error: .badRequest("request body without Content-Length"), to: request)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Decoder errors: malformed requests. Answer 400 (431 for an oversized head) in request
        // order, then close: the byte stream can no longer be trusted.
        let gatewayError: GatewayError
        if let parserError = error as? HTTPParserError {
            switch parserError {
            // Bytes after a `Connection: close` request: never served (RFC 9112 §9.6); the
            // connection closes once the requests before them are answered.
            case .closedConnection: return
            case .headerOverflow: gatewayError = .headerFieldsTooLarge
            case .invalidVersion: gatewayError = .badRequest("malformed HTTP version")
            case .unknown where "\(parserError)".contains("Transfer-Encoding"): gatewayError = .badRequest("invalid Transfer-Encoding")
            default: gatewayError = .badRequest("malformed request: \(parserError)")
            }
        } else {
            closeNow()
            return
        }
        guard !closing else { return }
        if let request = current, pipelined.isEmpty, !request.requestEnded {
            // The current request's own body is malformed.
            request.keepAlive = false
            if !request.responseStarted {
                request.proxy?.cancel()
                request.proxy = nil
                respond(error: gatewayError, to: request)
            }
        } else if current != nil {
            // A later, pipelined request is malformed: answer it in its turn.
            pipelined.append(.malformed(gatewayError))
        } else {
            respondMalformed(gatewayError)
        }
    }

    /// Answers a request that could not be parsed, and closes.
    private func respondMalformed(_ error: GatewayError) {
        let request = ActiveRequest(
            head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "-"),
            plan: loop.plan,
            requestID: loop.requestIDs.generate(),
            keepAlive: false
        )
        current = request
        respond(error: error, to: request)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            sendIdleTimer?.cancel()
            sendIdleTimer = nil
            current?.proxy?.downstreamWritable()
        } else if sendIdleTimer == nil {
            sendIdleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: loop.plan.settings.timeouts.sendIdle) {
                [weak self] in
                guard let self else { return }
                self.current?.errorCode = "send_timeout"
                self.closeNow()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Backpressure on the client's request body

    /// Reads are withheld while the upstream cannot take more, a decision is pending, or
    /// pipelined requests wait to be served.
    private var mayRead: Bool { !readPaused && pipelined.isEmpty }

    func read(context: ChannelHandlerContext) {
        if mayRead {
            context.read()
        } else {
            readPending = true
        }
    }

    /// Issues the read that was withheld, once reading is allowed again.
    private func readIfPending() {
        guard readPending, mayRead, let context else { return }
        readPending = false
        context.read()
    }

    /// Stops reading from the client (the upstream is not writable, or a decision is pending).
    func pauseReading() {
        readPaused = true
        bodyIdleTimer?.clear()
    }

    func resumeReading() {
        guard readPaused else { return }
        readPaused = false
        if let request = current, !request.requestEnded { armBodyIdleTimer() }
        readIfPending()
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    /// A streamed body passed the route's limit: the upstream side is aborted (it never receives
    /// a complete request) and the client gets 413, or the connection is cut if a response is
    /// already under way.
    private func refuseBody(of request: ActiveRequest, limit: Int) {
        request.keepAlive = false
        request.pendingBody = []
        request.proxy?.cancel()
        request.proxy = nil
        if request.responseStarted {
            request.errorCode = GatewayError.payloadTooLarge(limit: limit).code
            closeNow()
        } else {
            request.decidedBy = request.decidedBy ?? "limits"
            respond(error: .payloadTooLarge(limit: limit), to: request)
        }
    }

    private func armBodyIdleTimer() {
        guard !readPaused else { return }
        bodyIdleTimer?.set(after: loop.plan.settings.timeouts.bodyIdle)
    }

    private func bodyIdleExpired() {
        guard let request = current, !request.requestEnded else { return }
        request.keepAlive = false
        if request.responseStarted {
            request.errorCode = "request_body_timeout"
            closeNow()
        } else {
            request.proxy?.cancel()
            request.proxy = nil
            respond(error: .requestTimeout, to: request)
        }
    }

    // MARK: The request pipeline

    private func receivedHead(_ head: HTTPRequestHead) {
        connectionTimeouts?.requestHeadReceived()
        let plan = loop.plan
        let services = loop.services
        let peerTrusted = peer.map { loop.resolver.isTrusted($0) } ?? false
        let requestID = ProxyHeaders.trustedRequestID(head.headers, peerIsTrusted: peerTrusted) ?? loop.requestIDs.generate()
        let request = ActiveRequest(
            head: head,
            plan: plan,
            requestID: requestID,
            keepAlive: head.isKeepAlive && !draining
        )
        #if DEBUG
        request.instanceCount = loop.requestsInMemory
        #endif
        current = request

        if let error = plan.settings.headLimits.check(head) {
            request.keepAlive = false
            respond(error: error, to: request)
            return
        }
        let validated: ValidatedRequest
        switch RequestValidator.validate(head) {
        case .success(let v): validated = v
        case .failure(let error):
            request.keepAlive = false
            respond(error: error, to: request)
            return
        }
        request.validated = validated
        if validated.hasBody { armBodyIdleTimer() }

        if let redirect = listener.spec.redirectHTTPS {
            var headers = HTTPHeaders()
            headers.add(name: "Location", value: redirect.location(host: validated.host, path: validated.target.path, query: validated.target.query))
            send(GatewayResponse(status: .permanentRedirect, headers: headers), to: request, gatewayMade: true)
            return
        }

        let route: Route
        switch plan.routes.match(host: validated.host, path: Substring(validated.target.path), method: head.method.rawValue) {
        case .matched(let r):
            route = r
            request.routeMetrics = loop.metrics.metrics(for: r)
        case .notFound:
            respond(error: .noRoute, to: request)
            return
        case .methodNotAllowed(let allowed):
            respond(error: .methodNotAllowed(allowed: allowed), to: request)
            return
        }

        let clientAddress = peer.map { loop.resolver.resolve(peer: $0, forwardedFor: head.headers[canonicalForm: "x-forwarded-for"].map(String.init)) }
        var webSocketUpgrade = false
        if !isHTTP2, UpgradeRequest.isRequested(head.headers) {
            // The HTTP/1 parser reads nothing more on a connection that asked for an upgrade:
            // whatever the answer, the connection ends with it (or becomes the tunnel).
            request.keepAlive = false
            if case .proxy(let target) = route.action, let idle = target.websocketIdleTimeout, UpgradeRequest.isWebSocket(head) {
                request.websocketIdleTimeout = idle
                webSocketUpgrade = true
            }
        }
        var upstreamHeadersSource: UpstreamHeadersSource? = nil
        if case .proxy(let target) = route.action {
            let trace = TraceContext.next(inbound: head.headers.first(name: "traceparent"), ids: &loop.requestIDs)
            request.traceID = trace.traceID
            upstreamHeadersSource = UpstreamHeadersSource(
                inbound: head.headers,
                downstream: .init(
                    peer: peer,
                    peerIsTrusted: peerTrusted,
                    scheme: listener.scheme,
                    authority: validated.authority,
                    requestID: requestID,
                    trace: trace
                ),
                hostOverride: target.hostHeader,
                webSocketUpgrade: webSocketUpgrade
            )
        }
        let requestContext = RequestContext(
            inbound: head,
            validated: validated,
            route: route,
            clientAddress: clientAddress,
            requestID: requestID,
            receivedAt: Int64(time(nil)),
            upstreamHeadersSource: upstreamHeadersSource,
            services: services,
            loopState: loop.policyState
        )
        runPolicies(requestContext, from: 0, request: request)
    }

    /// Runs request policies in plan order from `index`; a pending decision pauses the client
    /// and resumes here on the same event loop, without a thread hop.
    private func runPolicies(_ requestContext: RequestContext, from index: Int, request: ActiveRequest) {
        var requestContext = requestContext
        let policies = requestContext.route.requestPolicies
        var i = index
        while i < policies.count {
            let decision = policies[i].evaluate(&requestContext, on: loop.eventLoop)
            request.bodyLimit = requestContext.bodyLimit
            request.shadowBodyLimit = requestContext.shadowBodyLimit
            if case .proceed = decision {} else { request.decidedBy = policies[i].name }
            i += 1
            switch decision {
            case .pending(let future):
                awaitDecision(future, context: requestContext, next: i, request: request) { decision, _ in decision }
                return
            case .pendingUpdate(let future):
                awaitDecision(future, context: requestContext, next: i, request: request) { resolved, context in
                    resolved.update(&context)
                    return resolved.decision
                }
                return
            case .proceed, .respond, .reject:
                guard conclude(decision, context: requestContext, request: request) else { return }
            }
        }
        request.context = requestContext
        perform(requestContext, request: request)
    }

    /// Waits for a pending decision (with a request body paused), then resolves it (applying any
    /// context update) and goes on with the policy at `next`.
    private func awaitDecision<Value>(
        _ future: EventLoopFuture<Value>,
        context requestContext: RequestContext,
        next: Int,
        request: ActiveRequest,
        resolve: @escaping (Value, inout RequestContext) -> PolicyDecision
    ) {
        request.decisionPending = true
        // Only a request body still to come needs holding back. Without one, reading goes on
        // (a pipelined request waits in its queue anyway), which saves the two epoll_ctl calls
        // a withheld read costs on every request whose decision waits for Redis.
        if isHTTP2 || request.expectsBody { pauseReading() }
        future.assumeIsolated().whenComplete { [weak self] result in
            guard let self, self.current === request else { return }
            request.decisionPending = false
            self.resumeReading()
            var context = requestContext
            switch result {
            case .success(let value):
                let resolved = resolve(value, &context)
                switch resolved {
                case .pending, .pendingUpdate:
                    self.respond(error: .internalError("policy returned a nested pending decision"), to: request)
                case .proceed, .respond, .reject:
                    if self.conclude(resolved, context: context, request: request) {
                        self.runPolicies(context, from: next, request: request)
                    }
                }
            case .failure(let error):
                self.respond(error: .internalError("policy failed: \(error)"), to: request)
            }
        }
    }

    /// Applies a final policy decision; returns whether the chain goes on.
    private func conclude(_ decision: PolicyDecision, context requestContext: RequestContext, request: ActiveRequest) -> Bool {
        switch decision {
        case .proceed, .pending, .pendingUpdate:
            return true
        case .respond(let response):
            request.context = requestContext
            send(response, to: request, gatewayMade: true)
            if let refresh = requestContext.cache?.backgroundRevalidation(of: requestContext) { loop.revalidateInBackground(refresh) }
            return false
        case .reject(let error):
            request.context = requestContext
            respond(error: error, to: request)
            return false
        }
    }

    private func perform(_ requestContext: RequestContext, request: ActiveRequest) {
        let validated = requestContext.validated
        switch requestContext.route.action {
        case .respond(let configured):
            var headers = HTTPHeaders()
            var body: ByteBuffer? = nil
            if !configured.body.isEmpty {
                headers.add(name: "Content-Type", value: configured.contentType)
                body = ByteBuffer(string: configured.body)
            }
            send(GatewayResponse(status: HTTPResponseStatus(statusCode: configured.status), headers: headers, body: body), to: request, gatewayMade: true)
        case .redirect(let redirect):
            var headers = HTTPHeaders()
            headers.add(
                name: "Location",
                value: redirect.location.render(path: validated.target.path, query: validated.target.query, host: validated.host)
            )
            send(GatewayResponse(status: HTTPResponseStatus(statusCode: redirect.status), headers: headers), to: request, gatewayMade: true)
        case .proxy(let target):
            guard let pool = loop.pool(named: target.upstream) else {
                respond(error: .serviceUnavailable(upstream: target.upstream, reason: "upstream not loaded"), to: request)
                return
            }
            if validated.expectsContinue && !request.requestEnded {
                // Policies passed: invite the body (the upstream never sees `Expect`).
                write(.head(HTTPResponseHead(version: request.head.version, status: .continue)), flush: true)
            }
            var outbound = HTTPRequestHead(
                version: .http1_1,
                method: request.head.method,
                uri: target.upstreamURI(for: validated.target),
                headers: requestContext.upstreamHeaders
            )
            switch validated.framing {
            case .none: break
            case .contentLength(let n): outbound.headers.replaceOrAdd(name: "Content-Length", value: String(n))
            case .chunked: outbound.headers.add(name: "Transfer-Encoding", value: "chunked")
            }
            var hashKey: UInt64? = nil
            if case .hash(let key) = pool.spec.balance {
                hashKey = key.hash(clientAddress: requestContext.clientAddress, headers: request.head.headers, path: validated.target.path)
            }
            let exchange = ProxyExchange(handler: self, request: request, pool: pool, outboundHead: outbound, hashKey: hashKey)
            request.proxy = exchange
            exchange.start()
            for body in request.pendingBody { exchange.forwardBody(body) }
            request.pendingBody = []
            if request.requestEnded { exchange.forwardEnd() }
        }
    }

    // MARK: Writing responses

    /// Answers with a gateway error, rendered in the one place errors are rendered.
    func respond(error: GatewayError, to request: ActiveRequest) {
        request.errorCode = error.code
        request.errorReason = error.reason
        if error.closesConnection { request.keepAlive = false }
        send(GatewayResponse.error(error, requestID: request.requestID), to: request, gatewayMade: true)
    }

    /// Sends a complete gateway-made response through the route's response policies.
    func send(_ response: GatewayResponse, to request: ActiveRequest, gatewayMade: Bool) {
        guard current === request, !request.responseStarted else { return }
        // A body the client is still sending is not read: close after answering.
        if !request.requestEnded && request.expectsBody { request.keepAlive = false }
        var headers = response.headers
        let bodyLength = response.body?.readableBytes ?? 0
        if response.status.mayHaveResponseBody {
            headers.replaceOrAdd(name: "Content-Length", value: String(bodyLength))
        }
        var head = HTTPResponseHead(version: request.head.version, status: response.status, headers: headers)
        finishHeaders(&head, request: request, gatewayMade: gatewayMade)
        writeResponseHead(head, request: request)
        if let body = response.body, body.readableBytes > 0, request.head.method != .HEAD {
            writeResponseBody(body, request: request)
        }
        finishResponse(request, trailers: nil)
    }

    /// Adds what every response gets: `Server`, `X-Request-ID`, connection management, and the
    /// route's response policies.
    func finishHeaders(_ head: inout HTTPResponseHead, request: ActiveRequest, gatewayMade: Bool) {
        if gatewayMade {
            if let server = request.plan.settings.serverHeader { head.headers.replaceOrAdd(name: "Server", value: server) }
            head.headers.replaceOrAdd(name: "X-Request-ID", value: request.requestID)
        }
        if let requestContext = request.context, !requestContext.route.responsePolicies.isEmpty {
            var response = ResponseContext(status: head.status, headers: head.headers, isGatewayResponse: gatewayMade)
            // The policies' copy of the fields is then the only one: their first change copies nothing.
            head.headers = HTTPHeaders()
            for policy in requestContext.route.responsePolicies { policy.apply(to: &response, request: requestContext) }
            head.status = response.status
            head.headers = response.headers
            request.cacheResult = response.cacheResult
            if let transform = response.bodyTransform, let context {
                request.bodyTransform = transform.makeTransform(allocator: context.channel.allocator)
            }
        } else if request.context == nil, !request.plan.unroutedResponsePolicies.isEmpty {
            // Answered before routing (400, 404, 405, 414, 431): the top-level policies apply.
            var response = ResponseContext(status: head.status, headers: head.headers, isGatewayResponse: gatewayMade)
            head.headers = HTTPHeaders()
            for policy in request.plan.unroutedResponsePolicies { policy.apply(to: &response) }
            head.status = response.status
            head.headers = response.headers
        }
        if let hsts = listener.hstsHeader { head.headers.replaceOrAdd(name: "Strict-Transport-Security", value: hsts) }
        if isHTTP2 { return }
        if draining { request.keepAlive = false }
        // HTTP/1.0 has no chunked coding: a body of unknown length ends with the connection.
        if head.version.minor == 0 && request.head.method != .HEAD && head.status.mayHaveResponseBody
            && !head.headers.contains(name: "content-length")
        {
            request.keepAlive = false
        }
        if !request.keepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version.minor == 0 {
            head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
    }

    func writeResponseHead(_ head: HTTPResponseHead, request: ActiveRequest) {
        request.responseStarted = true
        request.status = Int(head.status.code)
        write(.head(head), flush: false)
    }

    func writeResponseBody(_ body: ByteBuffer, request: ActiveRequest) {
        let body = request.bodyTransform?.transform(body) ?? body
        guard body.readableBytes > 0 else { return }
        request.bytesOut += body.readableBytes
        write(.body(.byteBuffer(body)), flush: false)
    }

    func flush() { context?.flush() }

    /// Ends the response; the connection then waits for the next request or closes.
    func finishResponse(_ request: ActiveRequest, trailers: HTTPHeaders?) {
        guard let context, current === request else { return }
        if let transform = request.bodyTransform {
            request.bodyTransform = nil
            let tail = transform.finish()
            if tail.readableBytes > 0 {
                request.bytesOut += tail.readableBytes
                write(.body(.byteBuffer(tail)), flush: false)
            }
        }
        bodyIdleTimer?.clear()
        current = nil
        loop.metrics.record(request)
        log(request)
        // The exchange refers to its request: dropping it here ends that cycle once the response
        // is complete (the exchange finishing this response is kept alive by its caller).
        request.proxy = nil
        if isHTTP2 {
            // The stream ends with its response; a body still arriving is refused by closing
            // (RST_STREAM), which NIOHTTP2 does when the stream channel closes.
            let unread = !request.requestEnded
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in
                if unread { context.close(promise: nil) }
            }
            return
        }
        let keepAlive = request.keepAlive && !draining
        if keepAlive {
            connectionTimeouts?.requestFinished()
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            if readPaused { resumeReading() }
            if !pipelined.isEmpty { servePipelined() }
        } else {
            pipelined.removeAll()
            closing = true
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    /// Turns the connection into a WebSocket tunnel to `connection` after its 101 answer (whose
    /// head is written): the response ends, the HTTP handlers leave both pipelines, and bytes flow
    /// both ways until either side closes or the tunnel is idle for `idleTimeout`.
    func startTunnel(_ request: ActiveRequest, to connection: UpstreamConnection, idleTimeout: TimeAmount, onClose: @escaping () -> Void) {
        guard let context, current === request else {
            connection.close()
            onClose()
            return
        }
        bodyIdleTimer?.clear()
        request.tunnelled = true
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if readPaused { resumeReading() }
        Tunnel.open(clientPipeline: context.pipeline, before: self, upstream: connection, idleTimeout: idleTimeout) { fromClient, fromUpstream in
            request.bytesIn += fromClient
            request.bytesOut += fromUpstream
            onClose()
        }
    }

    private func write(_ part: HTTPServerResponsePart, flush: Bool) {
        guard let context else { return }
        if flush {
            context.writeAndFlush(wrapOutboundOut(part), promise: nil)
        } else {
            context.write(wrapOutboundOut(part), promise: nil)
        }
    }

    /// Aborts the connection (used when a response cannot be completed honestly).
    func closeNow() {
        guard let context, !closing else { return }
        closing = true
        context.close(promise: nil)
    }

    // MARK: Lifecycle

    /// Graceful shutdown: close when idle, otherwise after the current response.
    func drain() {
        draining = true
        if current == nil { closeNow() } else { current?.keepAlive = false }
    }

    func forceClose() {
        current?.errorCode = current?.errorCode ?? "drain_timeout"
        closeNow()
    }

    private func log(_ request: ActiveRequest) {
        let shadowRejections = request.shadowRejections
        let route = request.context?.route
        for rejection in shadowRejections { loop.shadowLog.report(rejection, requestID: request.requestID, route: route?.name) }
        guard let accessLog = loop.accessLog else { return }
        var upstreamName: String? = nil
        if case .proxy(let target)? = route?.action { upstreamName = target.upstream }
        accessLog.append(
            AccessLogRecord(
                requestID: request.requestID,
                client: request.context?.clientAddress?.description ?? peer?.description ?? "-",
                method: request.head.method.rawValue,
                host: request.validated?.host ?? "-",
                path: request.validated?.target.path ?? "-",
                route: route?.name,
                upstream: upstreamName,
                upstreamAddress: request.proxy?.serverDescription,
                status: request.status,
                bytesIn: request.bytesIn,
                bytesOut: request.bytesOut,
                durationNanos: (NIODeadline.now() - request.start).nanoseconds,
                upstreamNanos: request.proxy?.firstByteNanos,
                error: request.errorCode,
                reason: request.errorReason,
                policy: request.errorCode == nil ? nil : request.decidedBy,
                traceID: request.traceID,
                rateLimit: request.context.flatMap { $0.rateLimits.isEmpty ? nil : $0.rateLimits.map(\.logValue).joined(separator: " ") },
                shadow: shadowRejections.isEmpty ? nil : shadowRejections.map(\.logValue).joined(separator: " "),
                version: request.head.version.major == 2 ? "HTTP/2" : request.head.version.minor == 0 ? "HTTP/1.0" : "HTTP/1.1"
            )
        )
    }
}

@available(*, unavailable)
extension HTTPExchangeHandler: Sendable {}

extension ProxyTarget {
    /// The request target sent upstream: the normalised path after `strip_prefix`/`rewrite`,
    /// plus the query as received.
    func upstreamURI(for target: NormalizedTarget) -> String {
        let path = upstreamPath(for: Substring(target.path))
        guard let query = target.query else { return path }
        return path + "?" + query
    }
}
