import GatewayCore
import GatewayUpstream
import Logging
import NIOCore
import NIOSSL

/// Everything one event loop owns: the plan it serves, its upstream pools, its request id
/// stream and its open connections. Only ever touched on its own loop, so nothing here locks.
final class LoopContext {
    let eventLoop: any EventLoop
    /// Event loops of the server: pools enforce their share of gateway-wide limits.
    let loopCount: Int
    private(set) var plan: GatewayPlan
    /// The rate-limit stores (and later other ports) of ``plan``; swapped with it.
    private(set) var services: PolicyServices
    private(set) var resolver: ClientAddressResolver
    /// What policies keep on this loop between requests (verified tokens); a fresh one with
    /// every plan, so nothing verified under the previous plan's keys or settings is reused.
    private(set) var policyState: NIOLoopBound<PolicyLoopState>
    /// Resolved server addresses by upstream spec (resolved once, off the event loops).
    private var addresses: [UpstreamSpec: [SocketAddress]]
    /// Client TLS contexts of upstreams that speak TLS (built once, off the event loops).
    private var upstreamTLS: [UpstreamSpec: NIOSSLContext]
    /// The `upstream` subsystem's logger, which the pools log to.
    let logger: Logger
    /// Where a new pool learns which of its servers health checks hold down.
    private let health: HealthCheckRegistry?
    /// Pools keyed by their spec, so an unchanged upstream keeps its pool across reloads.
    private var pools: [UpstreamSpec: UpstreamPool] = [:] {
        didSet { poolsByName.removeAll(keepingCapacity: true) }
    }
    /// The pools of the current plan by upstream name: a request looks its pool up by a short
    /// string instead of hashing and comparing a whole ``UpstreamSpec``. Emptied whenever
    /// ``pools`` or ``plan`` changes.
    private var poolsByName: [String: UpstreamPool] = [:]
    var requestIDs = RequestIDGenerator()
    let metrics = LoopMetrics()
    #if DEBUG
    let requestsInMemory = InstanceCount()
    #endif
    let accessLog: LoopAccessLog?
    let shadowLog: ShadowRejectionLog
    private var connections: [ObjectIdentifier: HTTPExchangeHandler] = [:]
    /// Cache refreshes running after their client's answer; they never hold up a drain and are
    /// cancelled when the loop closes.
    private var revalidations: [ObjectIdentifier: BackgroundRevalidation] = [:]
    private(set) var draining = false
    private var drained: EventLoopPromise<Void>?

    init(
        eventLoop: any EventLoop,
        loopCount: Int = 1,
        plan: GatewayPlan,
        services: PolicyServices,
        addresses: [UpstreamSpec: [SocketAddress]],
        upstreamTLS: [UpstreamSpec: NIOSSLContext],
        accessLog: AccessLogSink?,
        health: HealthCheckRegistry? = nil,
        logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.loopCount = loopCount
        self.plan = plan
        self.services = services
        self.resolver = ClientAddressResolver(trustedProxies: plan.settings.trustedProxies)
        self.policyState = NIOLoopBound(PolicyLoopState(), eventLoop: eventLoop)
        self.addresses = addresses
        self.upstreamTLS = upstreamTLS
        self.logger = logger
        self.health = health
        self.accessLog = accessLog.map { LoopAccessLog(sink: $0, eventLoop: eventLoop, fields: plan.settings.accessLogFields) }
        self.shadowLog = ShadowRejectionLog(logger: logger)
        metrics.install(plan)
    }

    /// The pool for an upstream of the current plan, created on first use.
    func pool(named name: String) -> UpstreamPool? {
        if let pool = poolsByName[name] { return pool }
        guard let spec = plan.upstreams[name] else { return nil }
        if let pool = pools[spec] {
            poolsByName[name] = pool
            return pool
        }
        guard let resolved = addresses[spec] else { return nil }
        let pool = UpstreamPool(
            spec: spec, addresses: resolved, eventLoop: eventLoop, tlsContext: upstreamTLS[spec], loopCount: loopCount, logger: logger)
        if let health {
            for server in spec.servers.indices {
                if let key = HealthCheckKey(spec, server: server, address: resolved[server]), !health.isHealthy(key) {
                    pool.setHealth(of: server, healthy: false)
                }
            }
        }
        pools[spec] = pool
        poolsByName[name] = pool
        return pool
    }

    /// A checker's new verdict on the server `key` names, for every pool of this loop it concerns.
    func applyHealth(_ key: HealthCheckKey, healthy: Bool) {
        for (spec, pool) in pools where spec.name == key.upstream {
            for server in spec.servers.indices where HealthCheckKey(spec, server: server, address: pool.addresses[server]) == key {
                pool.setHealth(of: server, healthy: healthy)
            }
        }
    }

    /// Swaps in a new plan. Pools whose spec is unchanged are kept; others are closed once idle
    /// (in-flight exchanges hold their pool until they finish).
    func install(plan: GatewayPlan, services: PolicyServices, addresses: [UpstreamSpec: [SocketAddress]], upstreamTLS: [UpstreamSpec: NIOSSLContext]) {
        self.plan = plan
        poolsByName.removeAll(keepingCapacity: true)
        self.services = services
        self.resolver = ClientAddressResolver(trustedProxies: plan.settings.trustedProxies)
        self.policyState = NIOLoopBound(PolicyLoopState(), eventLoop: eventLoop)
        self.addresses = addresses
        self.upstreamTLS = upstreamTLS
        metrics.install(plan)
        let live = Set(plan.upstreams.values)
        for (spec, pool) in pools where !live.contains(spec) {
            metrics.retire(pool)
            pool.retire()
            pools[spec] = nil
        }
    }

    /// Starts the background refresh `context` describes (a `stale-while-revalidate` answer was
    /// sent). While draining, or without the route's upstream, it ends at once as failed.
    func revalidateInBackground(_ context: RequestContext) {
        guard case .proxy(let target) = context.route.action, !draining, let pool = pool(named: target.upstream) else {
            BackgroundRevalidation.abandon(context, error: .serviceUnavailable(upstream: "", reason: "no background revalidation now"))
            return
        }
        let revalidation = BackgroundRevalidation(
            context: context, pool: pool, uri: target.upstreamURI(for: context.validated.target),
            serverHeader: plan.settings.serverHeader
        ) { [unowned self] done in
            self.revalidations[ObjectIdentifier(done)] = nil
        }
        revalidations[ObjectIdentifier(revalidation)] = revalidation
        revalidation.start()
    }

    /// Background refreshes running now on this loop.
    var backgroundRevalidations: Int { revalidations.count }

    /// New addresses for `spec`'s servers (their names resolved again): its pool is replaced, so
    /// new connections go to the new addresses; the old pool's idle connections close now and
    /// busy ones once their exchange ends.
    func replaceAddresses(of spec: UpstreamSpec, with resolved: [SocketAddress]) {
        guard plan.upstreams[spec.name] == spec, addresses[spec] != resolved else { return }
        addresses[spec] = resolved
        if let pool = pools.removeValue(forKey: spec) {
            metrics.retire(pool)
            pool.retire()
        }
    }

    func register(_ connection: HTTPExchangeHandler) {
        connections[ObjectIdentifier(connection)] = connection
        if draining { connection.drain() }
    }

    func unregister(_ connection: HTTPExchangeHandler) {
        connections[ObjectIdentifier(connection)] = nil
        if draining && connections.isEmpty { drained?.succeed(()) }
    }

    var openConnections: Int { connections.count }

    /// This loop's metrics now, for `/metrics`.
    func metricsSnapshot() -> MetricsSnapshot { metrics.snapshot(pools: Array(pools.values)) }

    /// Idle connections close now; busy ones close after their current response. The future
    /// completes when the last connection of this loop has closed.
    func beginDrain() -> EventLoopFuture<Void> {
        if let drained { return drained.futureResult }
        let promise = eventLoop.makePromise(of: Void.self)
        drained = promise
        draining = true
        for connection in connections.values { connection.drain() }
        if connections.isEmpty { promise.succeed(()) }
        return promise.futureResult
    }

    func closeAll() {
        for connection in connections.values { connection.forceClose() }
        for revalidation in Array(revalidations.values) { revalidation.cancel() }
        for pool in pools.values { pool.closeIdle() }
        accessLog?.flush()
    }
}

@available(*, unavailable)
extension LoopContext: Sendable {}
