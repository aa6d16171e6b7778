import GatewayCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The running gateway: its event loops, listeners and per-loop state.
///
/// Start it with a compiled plan; it binds every listener of the plan. Shutdown is graceful:
/// stop accepting, let in-flight requests finish up to the drain time, then close. Certificates of
/// TLS listeners are re-read when their files change (checked every `certificate_check_interval`).
public final class GatewayServer: Sendable {
    public let group: MultiThreadedEventLoopGroup
    let logger: Logger
    let contexts: [ObjectIdentifier: NIOLoopBound<LoopContext>]
    /// The bound listeners, in the order of the plan's listeners.
    let listeners = NIOLockedValueBox<[BoundListener]>([])
    private let accessLog: AccessLogSink?
    let currentPlan: NIOLockedValueBox<GatewayPlan>
    /// The one shutdown: later calls wait for it instead of touching stopped event loops.
    private let shutdownTask = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let documents: RemoteDocumentRefresher
    private let certificateWatcher = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let rateLimits: RateLimitRegistry
    /// Client TLS contexts by upstream spec, reused by reloads that keep the spec.
    let upstreamTLS: NIOLockedValueBox<[UpstreamSpec: NIOSSLContext]>
    /// What a reload reads; `nil` when the plan was built in code (reloads are then refused).
    let source: ConfigSource?
    let reloadState = NIOLockedValueBox(ReloadStatus())
    private let nextListenerID = NIOLockedValueBox(0)
    /// The admin listener, when the plan has one.
    let admin = NIOLockedValueBox<BoundAdmin?>(nil)
    /// The last reload in progress: reloads run one after another.
    let reloadChain = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// The process log's levels, which a reload sets; `nil` when logging was set up elsewhere.
    let logLevels: LogLevels?
    /// Active health checkers of the serving plan's upstreams.
    let healthChecks: HealthCheckRegistry
    /// Looks upstream server names up again every `resolve_interval`.
    let addressRefresher: UpstreamAddressRefresher

    /// Creates the event loops and per-loop state for `plan` (resolving upstream server names,
    /// which may block: call it off the event loops). `source` is what ``reload()`` reads again;
    /// `logLevels` is the table of the process log's handlers, which reloads update.
    public init(plan: GatewayPlan, logger: Logger, source: ConfigSource? = nil, logLevels: LogLevels? = nil) async throws {
        let threads = plan.settings.workerThreads ?? System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        self.group = group
        self.logger = logger
        self.source = source
        self.logLevels = logLevels
        self.currentPlan = NIOLockedValueBox(plan)
        self.documents = RemoteDocumentRefresher(group: group, logger: logger.subsystem(.jwks))
        let rateLimits = RateLimitRegistry(group: group, logger: logger.subsystem(.ratelimit))
        self.rateLimits = rateLimits
        let healthChecks = HealthCheckRegistry(group: group, logger: logger.subsystem(.upstream))
        self.healthChecks = healthChecks
        let addressRefresher = UpstreamAddressRefresher(addresses: [:], logger: logger.subsystem(.upstream))
        self.addressRefresher = addressRefresher
        do {
            let accessLog = try AccessLogSink.open(plan.settings.accessLog)
            self.accessLog = accessLog
            let addresses = try Self.resolve(plan)
            addressRefresher.replace(with: addresses)
            let upstreamTLS = try Self.upstreamTLSContexts(plan, reusing: [:])
            self.upstreamTLS = NIOLockedValueBox(upstreamTLS)
            let services = try await rateLimits.services(for: plan)
            var contexts: [ObjectIdentifier: NIOLoopBound<LoopContext>] = [:]
            for loop in group.makeIterator() {
                let bound = try await loop.submit {
                    NIOLoopBound(
                        LoopContext(
                            eventLoop: loop, loopCount: max(1, threads), plan: plan, services: services, addresses: addresses, upstreamTLS: upstreamTLS,
                            accessLog: accessLog, health: healthChecks, logger: logger.subsystem(.upstream)),
                        eventLoop: loop)
                }.get()
                contexts[ObjectIdentifier(loop)] = bound
            }
            self.contexts = contexts
            let loops = contexts
            healthChecks.deliver { key, healthy in
                for bound in loops.values {
                    bound.eventLoop.execute { bound.value.applyHealth(key, healthy: healthy) }
                }
            }
            healthChecks.update(plan, addresses: addresses, upstreamTLS: upstreamTLS)
        } catch {
            await rateLimits.close()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Resolves every upstream server to socket addresses. IP literals need no lookup.
    static func resolve(_ plan: GatewayPlan) throws -> [UpstreamSpec: [SocketAddress]] {
        var result: [UpstreamSpec: [SocketAddress]] = [:]
        for spec in plan.upstreams.values {
            result[spec] = try spec.servers.map { server in
                if IPAddress(server.host) != nil {
                    return try SocketAddress(ipAddress: server.host, port: server.port)
                }
                return try SocketAddress.makeAddressResolvingHost(server.host, port: server.port)
            }
        }
        return result
    }

    /// Client TLS contexts of the upstreams that speak TLS (reads CA and certificate files),
    /// reusing the context of an unchanged spec.
    static func upstreamTLSContexts(_ plan: GatewayPlan, reusing previous: [UpstreamSpec: NIOSSLContext]) throws -> [UpstreamSpec: NIOSSLContext] {
        var result: [UpstreamSpec: NIOSSLContext] = [:]
        for spec in plan.upstreams.values {
            guard let tls = spec.tls else { continue }
            if let kept = previous[spec] {
                result[spec] = kept
                continue
            }
            do {
                result[spec] = try TLSContextFactory.upstreamContext(tls)
            } catch {
                throw UpstreamTLSError(upstream: spec.name, underlying: error)
            }
        }
        return result
    }

    public var plan: GatewayPlan { currentPlan.withLockedValue { $0 } }

    /// Binds every listener of the plan. Throws (after closing what was bound) if one fails.
    public func start() async throws {
        let plan = self.plan
        await documents.replace(with: plan.remoteDocuments)
        let bound = try await bind(plan.listeners, keeping: [])
        let adminListener: BoundAdmin?
        do {
            adminListener = try await bindAdmin(plan.settings.admin, keeping: nil).keep
        } catch {
            for listener in bound { try? await listener.channel.close() }
            throw error
        }
        listeners.withLockedValue { $0 = bound }
        admin.withLockedValue { $0 = adminListener }
        if let interval = plan.settings.certificateCheckInterval, bound.contains(where: { $0.certificates != nil }) {
            startCertificateWatcher(every: interval)
        }
        scheduleAddressRefresh(plan)
    }

    /// Binds `specs` in order, reusing the listener of an equal spec from `existing`. Throws
    /// (after closing only what it bound) if one fails.
    func bind(_ specs: [ListenerSpec], keeping existing: [BoundListener]) async throws -> [BoundListener] {
        var result: [BoundListener] = []
        var opened: [any Channel] = []
        for listener in specs {
            if let kept = existing.first(where: { $0.spec == listener }) {
                result.append(kept)
                continue
            }
            do {
                let store = try listener.tls.map { try TLSListenerStore(listener: listener, tls: $0) }
                let channel = try await bootstrap(ListenerBinding(id: nextListenerID.withLockedValue { $0 += 1; return $0 }, spec: listener, certificates: store))
                    .bind(host: listener.bindHost, port: listener.port).get()
                opened.append(channel)
                result.append(BoundListener(spec: listener, channel: channel, certificates: store))
                logger.info(
                    "listening",
                    metadata: ["address": "\(channel.localAddress?.description ?? listener.displayAddress)"]
                )
            } catch {
                for channel in opened { try? await channel.close() }
                throw ListenerError(listener: listener, underlying: error)
            }
        }
        return result
    }

    /// Checks the certificate files of every TLS listener every `interval`, off the event loops
    /// (once: a reload that adds the first TLS listener starts it, later ones keep it).
    func startCertificateWatcher(every interval: TimeAmount) {
        certificateWatcher.withLockedValue { task in
            guard task == nil else { return }
            task = makeCertificateWatcher(every: interval)
        }
    }

    private func makeCertificateWatcher(every interval: TimeAmount) -> Task<Void, Never> {
        Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(interval.nanoseconds, 1_000_000)))
                guard let self, !Task.isCancelled else { return }
                self.reloadCertificates()
            }
        }
    }

    /// Re-reads the certificate files of every TLS listener now (blocking: not on an event loop).
    /// Changed files are served to new handshakes; unusable ones are logged and the previous
    /// certificates kept. Returns whether any listener changed.
    @discardableResult
    public func reloadCertificates() -> Bool {
        let stores = listeners.withLockedValue { $0.compactMap(\.certificates) }
        var changed = false
        for store in stores where store.reloadIfChanged(logger: logger.subsystem(.tls)) == .reloaded { changed = true }
        return changed
    }

    /// The addresses actually bound (with the real port when the plan said port 0).
    public var localAddresses: [SocketAddress] {
        listeners.withLockedValue { $0.compactMap(\.channel.localAddress) }
    }

    private func bootstrap(_ listener: ListenerBinding) -> ServerBootstrap {
        let contexts = self.contexts
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let loop = contexts[ObjectIdentifier(channel.eventLoop)]?.value else {
                        throw ChannelError.ioOnClosedChannel
                    }
                    try ConnectionPipeline.configure(channel: channel, loop: loop, listener: listener)
                }
            }
    }

    /// Installs a new plan on every event loop; requests in flight keep the plan they started with.
    /// Listeners are not touched (``reload()`` applies listener changes).
    public func install(_ plan: GatewayPlan) async throws {
        let prepared = try await prepare(plan)
        await activate(plan, prepared)
    }

    /// What a plan needs before it can serve: resolved addresses, upstream TLS contexts and
    /// rate-limit stores. Blocking (name resolution, files): off the event loops.
    func prepare(_ plan: GatewayPlan) async throws -> PreparedPlan {
        let addresses = try Self.resolve(plan)
        let previousTLS = upstreamTLS.withLockedValue { $0 }
        let tls = try Self.upstreamTLSContexts(plan, reusing: previousTLS)
        let services = try await rateLimits.services(for: plan)
        return PreparedPlan(addresses: addresses, upstreamTLS: tls, services: services)
    }

    /// Swaps `plan` in on each event loop in turn; each swap is one step on its loop, so a request
    /// sees either the old plan or the new one, never a mix.
    func activate(_ plan: GatewayPlan, _ prepared: PreparedPlan) async {
        upstreamTLS.withLockedValue { $0 = prepared.upstreamTLS }
        await documents.replace(with: plan.remoteDocuments)
        currentPlan.withLockedValue { $0 = plan }
        for bound in contexts.values {
            try? await bound.eventLoop.submit {
                bound.value.install(
                    plan: plan, services: prepared.services, addresses: prepared.addresses, upstreamTLS: prepared.upstreamTLS)
            }.get()
        }
        addressRefresher.replace(with: prepared.addresses)
        healthChecks.update(plan, addresses: prepared.addresses, upstreamTLS: prepared.upstreamTLS)
    }

    /// Stops accepting new connections and asks every open connection to finish its current
    /// request and close. Returns once the listeners are closed, with a future that completes
    /// when every loop has drained.
    @discardableResult
    public func stopAccepting() async -> EventLoopFuture<Void> {
        certificateWatcher.withLockedValue { task in
            task?.cancel()
            task = nil
        }
        let bound = listeners.withLockedValue { listeners in
            defer { listeners = [] }
            return listeners
        }
        for listener in bound { try? await listener.channel.close() }
        let drains = contexts.values.map { bound in bound.eventLoop.flatSubmit { bound.value.beginDrain() } }
        return EventLoopFuture.andAllComplete(drains, on: group.next())
    }

    /// Graceful shutdown: stop accepting, let in-flight requests finish for up to `drainTimeout`
    /// (the plan's `drain_timeout` by default), then close every connection and stop the loops.
    /// Idempotent: a second call (e.g. SIGTERM during a drain) waits for the first to finish.
    /// Whether a shutdown (drain) has begun.
    public var isShuttingDown: Bool { shutdownTask.withLockedValue { $0 != nil } }

    public func shutdown(drainTimeout: TimeAmount? = nil) async {
        let drain = drainTimeout ?? plan.settings.drainTimeout
        let task = shutdownTask.withLockedValue { task in
            if let task { return task }
            let new = Task { await self.performShutdown(drain: drain) }
            task = new
            return new
        }
        await task.value
    }

    private func performShutdown(drain: TimeAmount) async {
        let drained = await stopAccepting()
        documents.stop()
        addressRefresher.stop()
        healthChecks.stopAll()
        let loop = drained.eventLoop
        let deadline = loop.makePromise(of: Void.self)
        let timer = loop.scheduleTask(in: drain) { deadline.succeed(()) }
        drained.cascade(to: deadline)
        try? await deadline.futureResult.get()
        timer.cancel()
        for bound in contexts.values {
            try? await bound.eventLoop.submit { bound.value.closeAll() }.get()
        }
        accessLog?.flush()
        await closeAdmin()
        await rateLimits.close()
        try? await group.shutdownGracefully()
        accessLog?.flush()
        logger.info("stopped")
    }
}

public struct ListenerError: Error, CustomStringConvertible {
    public var listener: ListenerSpec
    public var underlying: any Error
    public var description: String {
        let at = listener.location.map { " (\($0))" } ?? ""
        return "cannot listen on \(listener.displayAddress)\(at): \(underlying)"
    }
}
