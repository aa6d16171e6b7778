import GatewayCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The keep-alive pool and balancer of one upstream group on one event loop.
///
/// One pool per (upstream, event loop), like nginx workers and Envoy worker threads: a connection
/// is only ever used by the loop that owns it, so nothing here takes a lock. Idle connections are
/// kept per server (most recently used first), closed after `keepaliveTimeout`, and at most
/// `keepaliveConnections` are kept.
///
/// With TLS, a connection is handed out only after its handshake (certificate verified); a failed
/// handshake counts as a failed connect, so another server may be tried and nothing was sent.
public final class UpstreamPool {
    public let spec: UpstreamSpec
    public let eventLoop: any EventLoop
    /// Resolved addresses, parallel to `spec.servers`.
    public let addresses: [SocketAddress]
    /// No longer used for new requests (reload, new addresses): connections are not kept idle.
    private var retired = false
    public private(set) var balancer: LoadBalancer
    /// Passive health of this loop's traffic (`outlier_detection`); `nil` when not configured.
    public private(set) var outliers: OutlierEjectionStateMachine?
    /// Active health as last pushed by the server's checker: `true` while a check holds it down.
    public private(set) var healthDown: [Bool]
    private var healthDownCount = 0
    /// When each server's slow start began (`slow_start`), while it ramps.
    private var rampStarts: [NIODeadline?]
    private var rampCount = 0
    /// Requests in flight on this loop and how many of them are on a retry.
    public private(set) var retryBudget: RetryBudget
    /// This loop's share of the upstream's circuit-breaker limits.
    public let limits: CircuitBreakerLimits
    /// Connections open or connecting, and connects in progress (each for one waiting request).
    public private(set) var openConnections = 0
    public private(set) var pendingConnects = 0
    private var idle: [[UpstreamConnection]]
    private var idleCount = 0
    private let tlsContext: NIOSSLContext?
    private let logger: Logger
    /// Connects that failed, for metrics (the pool lives on one loop: plain counters).
    public private(set) var connectErrors = 0
    /// Requests tried on another server after a failed connect.
    public private(set) var retries = 0

    /// `tlsContext` is required when `spec.tls` is set.
    public init(
        spec: UpstreamSpec,
        addresses: [SocketAddress],
        eventLoop: any EventLoop,
        tlsContext: NIOSSLContext? = nil,
        loopCount: Int = 1,
        logger: Logger = Logger(label: "gateway.upstream")
    ) {
        precondition((spec.tls == nil) == (tlsContext == nil), "an upstream with TLS needs its context")
        precondition(addresses.count == spec.servers.count)
        self.spec = spec
        self.addresses = addresses
        self.eventLoop = eventLoop
        self.balancer = LoadBalancer(servers: spec.servers, algorithm: spec.balance, seed: .random(in: .min ... .max))
        self.outliers = spec.outlierDetection.map { OutlierEjectionStateMachine(settings: $0, serverCount: spec.servers.count) }
        self.limits = spec.limits.share(ofLoops: loopCount)
        self.retryBudget = RetryBudget(percent: spec.retry.budgetPercent, minimum: spec.retry.budgetMinimum)
        self.idle = Array(repeating: [], count: spec.servers.count)
        self.healthDown = Array(repeating: false, count: spec.servers.count)
        self.rampStarts = Array(repeating: nil, count: spec.servers.count)
        self.tlsContext = tlsContext
        self.logger = logger
    }

    private func connect(to server: Int) -> EventLoopFuture<any Channel> {
        let tlsContext = self.tlsContext
        let serverName = spec.tlsServerName(for: server)
        let serverDescription = spec.servers[server].description
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(spec.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext { try sync.addUpstreamTLSHandlers(tlsContext, serverName: serverName, on: channel) }
                    // Request heads are built from parsed, validated input (see the server pipeline).
                    // Bytes read past a 101 response go to the tunnel when the decoder leaves.
                    try sync.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes, enableOutboundHeaderValidation: false)
                    try sync.addHandler(UpstreamConnectionHandler())
                }
            }
            .connect(to: addresses[server])
            .flatMap { channel in
                guard tlsContext != nil else { return channel.eventLoop.makeSucceededFuture(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.handler(type: TLSHandshakeHandler.self).handshake
                }
                .flatMap { $0 }
                .map { channel }
                .flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw UpstreamTLSHandshakeError(server: serverDescription, underlying: error)
                }
            }
    }

    public func server(_ index: Int) -> UpstreamServer { spec.servers[index] }
    public var serverCount: Int { spec.servers.count }

    /// Picks a server not in `excluded`; `nil` when none is left. `hashKey` is the request's key
    /// under `balance hash`. Servers held down by health checks are never picked; servers ejected
    /// as outliers only while others are left. Servers in their slow start weigh what they have
    /// ramped up to (the clock is read only while one ramps).
    public func pickServer(excluding excluded: Set<Int>, hashKey: UInt64? = nil) -> Int? {
        let ejected = down()
        if rampCount > 0 { advanceRamps(now: .now()) }
        return balancer.pick(excluding: excluded, down: ejected, unavailable: healthDownCount > 0 ? healthDown : nil, hashKey: hashKey)
    }

    /// The servers to skip while others are left; `nil` (and no clock read) while none is out.
    private func down() -> [Bool]? {
        guard let count = outliers?.ejectedCount, count > 0 else { return nil }
        let now = NIODeadline.now()
        for server in outliers!.readmitExpired(now: now) {
            logger.info("upstream server readmitted", metadata: ["upstream": "\(spec.name)", "server": "\(spec.servers[server])"])
            beginSlowStart(server, now: now)
        }
        return outliers!.ejectedCount > 0 ? outliers!.ejected : nil
    }

    /// The server's checker found it up (`healthy`) or down. A server back up starts its slow start.
    public func setHealth(of server: Int, healthy: Bool) {
        eventLoop.assertInEventLoop()
        guard healthDown[server] == healthy else { return }
        healthDown[server] = !healthy
        healthDownCount += healthy ? -1 : 1
        if healthy {
            beginSlowStart(server, now: .now())
        } else {
            for connection in idle[server] { connection.close() }
            idleCount -= idle[server].count
            idle[server] = []
        }
    }

    /// Whether health checks hold every server down (nothing can be picked).
    public var everyServerUnhealthy: Bool { healthDownCount == spec.servers.count }

    private func beginSlowStart(_ server: Int, now: NIODeadline) {
        guard let period = spec.slowStart else { return }
        if rampStarts[server] == nil { rampCount += 1 }
        rampStarts[server] = now
        balancer.setWeight(of: server, permille: SlowStart.permille(elapsed: .zero, period: period))
    }

    /// Raises the weight of every ramping server to where its slow start has got by `now`.
    private func advanceRamps(now: NIODeadline) {
        guard let period = spec.slowStart else { return }
        for server in rampStarts.indices {
            guard let start = rampStarts[server] else { continue }
            let permille = SlowStart.permille(elapsed: now - start, period: period)
            balancer.setWeight(of: server, permille: permille)
            if permille >= SlowStart.full {
                rampStarts[server] = nil
                rampCount -= 1
            }
        }
    }

    /// `server` answered with a status below 500.
    public func recordSuccess(on server: Int) {
        outliers?.succeeded(server)
    }

    /// Connecting to `server` failed, it closed or timed out before answering, or answered 5xx.
    public func recordFailure(on server: Int) {
        guard outliers != nil else { return }
        switch outliers!.failed(server, now: .now()) {
        case .none: break
        case .eject(_, let until):
            logger.warning(
                "upstream server ejected",
                metadata: [
                    "upstream": "\(spec.name)", "server": "\(spec.servers[server])",
                    "for_ms": "\((until - .now()).nanoseconds / 1_000_000)", "ejections": "\(outliers!.ejections(of: server))",
                ])
        case .keepAtLimit:
            logger.info(
                "upstream server not ejected: max_ejected_percent reached",
                metadata: ["upstream": "\(spec.name)", "server": "\(spec.servers[server])"])
        }
    }

    /// Hands `completion` an idle connection to `server` if one is alive (synchronously), else
    /// connects a new one (when the connect completes, on this event loop).
    public func connection(to server: Int, _ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        eventLoop.assertInEventLoop()
        while let connection = idle[server].popLast() {
            idleCount -= 1
            connection.clearDeadline()
            if connection.isActive {
                connection.delegate = nil
                completion(.success(connection))
                return
            }
        }
        if let limit = limits.refusesConnect(open: openConnections, pending: pendingConnects) {
            completion(.failure(UpstreamOverloadedError(limit: limit)))
            return
        }
        openConnections += 1
        pendingConnects += 1
        connect(to: server).assumeIsolated().whenComplete { [logger] result in
            self.pendingConnects -= 1
            switch result {
            case .success(let channel):
                channel.closeFuture.assumeIsolated().whenComplete { [weak self] _ in self?.openConnections -= 1 }
            case .failure:
                self.openConnections -= 1
            }
            if case .failure(let error as UpstreamTLSHandshakeError) = result {
                logger.warning("upstream TLS handshake failed", metadata: ["upstream": "\(self.spec.name)", "error": "\(error)"])
            }
            completion(
                result.flatMap { channel in
                    Result {
                        let handler = try channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self)
                        return UpstreamConnection(channel: channel, serverIndex: server, handler: handler)
                    }
                }
            )
        }
    }

    /// A request to this upstream begins (counted once, however often it is tried), unless
    /// `max_requests` is reached: then it is not counted and the limit is returned.
    public func exchangeStarted() -> CircuitBreakerLimit? {
        if let limit = limits.refusesRequest(inFlight: retryBudget.requests) { return limit }
        retryBudget.requestStarted()
        return nil
    }

    /// The request ended; `heldRetry` gives back the budget slot it took with ``acquireRetry()``.
    public func exchangeFinished(heldRetry: Bool) {
        retryBudget.requestFinished()
        if heldRetry { retryBudget.retryFinished() }
    }

    /// Takes a slot of the retry budget; `false` when retries are at their share.
    public func acquireRetry() -> Bool { retryBudget.acquireRetry() }

    public func requestStarted(on server: Int) { balancer.requestStarted(on: server) }
    public func requestFinished(on server: Int) { balancer.requestFinished(on: server) }

    /// Returns a connection after a complete exchange. It is kept only when `reusable` (the
    /// response allowed keep-alive, the request and response were both complete) and there is room.
    public func release(_ connection: UpstreamConnection, reusable: Bool) {
        eventLoop.assertInEventLoop()
        connection.completedRequests += 1
        guard reusable, !retired, connection.isActive, idleCount < spec.keepaliveConnections else {
            connection.close()
            return
        }
        if connection.idleWatcher == nil { connection.idleWatcher = IdleWatcher(pool: self, connection: connection) }
        connection.delegate = connection.idleWatcher
        connection.resumeReading()
        idle[connection.serverIndex].append(connection)
        idleCount += 1
        connection.setDeadline(after: spec.keepaliveTimeout)
    }

    /// Removes an idle connection that closed, timed out, or spoke out of turn.
    func discard(_ connection: UpstreamConnection) {
        if let i = idle[connection.serverIndex].firstIndex(where: { $0 === connection }) {
            idle[connection.serverIndex].remove(at: i)
            idleCount -= 1
        }
        connection.close()
    }

    /// Closes every idle connection now and every busy one when its exchange ends (the pool is
    /// replaced: a reload changed its upstream, or its names resolve to new addresses).
    public func retire() {
        retired = true
        closeIdle()
    }

    /// Closes every idle connection (shutdown).
    public func closeIdle() {
        for list in idle { for connection in list { connection.close() } }
        idle = Array(repeating: [], count: spec.servers.count)
        idleCount = 0
    }

    public var idleConnections: Int { idleCount }

    /// Connections carrying a request now: open ones neither idle nor still connecting.
    public var activeConnections: Int { max(0, openConnections - idleCount - pendingConnects) }

    public func recordConnectError() { connectErrors += 1 }

    public func recordRetry() { retries += 1 }
}

@available(*, unavailable)
extension UpstreamPool: Sendable {}

/// The delegate of an idle connection: any byte or close from the upstream while idle ends it.
/// Made once per connection, which owns it: the back reference is weak, since the connection may
/// be gone (closed and dropped by the pool) before its channel reports the close.
private final class IdleWatcher: UpstreamResponseDelegate {
    weak var pool: UpstreamPool?
    weak var connection: UpstreamConnection?
    init(pool: UpstreamPool, connection: UpstreamConnection) {
        self.pool = pool
        self.connection = connection
    }
    private func discard() {
        if let pool, let connection { pool.discard(connection) }
    }
    func upstreamResponseHead(_ head: HTTPResponseHead) { discard() }
    func upstreamResponseBody(_ body: ByteBuffer) { discard() }
    func upstreamResponseEnd(_ trailers: HTTPHeaders?) { discard() }
    func upstreamReadComplete() {}
    func upstreamWritabilityChanged(isWritable: Bool) {}
    func upstreamClosed(error: (any Error)?) { discard() }
    /// keepalive_timeout passed.
    func upstreamDeadlinePassed() { discard() }
}
