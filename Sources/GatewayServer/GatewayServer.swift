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
    private let logger: Logger
    private let contexts: [ObjectIdentifier: NIOLoopBound<LoopContext>]
    private let serverChannels = NIOLockedValueBox<[any Channel]>([])
    private let accessLog: AccessLogSink?
    private let currentPlan: NIOLockedValueBox<GatewayPlan>
    /// The one shutdown: later calls wait for it instead of touching stopped event loops.
    private let shutdownTask = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let documents: RemoteDocumentRefresher
    private let certificateStores = NIOLockedValueBox<[TLSListenerStore]>([])
    private let certificateWatcher = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let rateLimits: RateLimitRegistry

    /// Creates the event loops and per-loop state for `plan` (resolving upstream server names,
    /// which may block: call it off the event loops).
    public init(plan: GatewayPlan, logger: Logger) async throws {
        let threads = plan.settings.workerThreads ?? System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        self.group = group
        self.logger = logger
        self.currentPlan = NIOLockedValueBox(plan)
        self.documents = RemoteDocumentRefresher(group: group, logger: logger)
        let rateLimits = RateLimitRegistry(group: group, logger: logger)
        self.rateLimits = rateLimits
        do {
            let accessLog = try AccessLogSink.open(plan.settings.accessLog)
            self.accessLog = accessLog
            let addresses = try Self.resolve(plan)
            let upstreamTLS = try Self.upstreamTLSContexts(plan)
            let services = try await rateLimits.services(for: plan)
            var contexts: [ObjectIdentifier: NIOLoopBound<LoopContext>] = [:]
            for loop in group.makeIterator() {
                let bound = try await loop.submit {
                    NIOLoopBound(
                        LoopContext(
                            eventLoop: loop, loopCount: max(1, threads), plan: plan, services: services, addresses: addresses, upstreamTLS: upstreamTLS,
                            accessLog: accessLog, logger: logger),
                        eventLoop: loop)
                }.get()
                contexts[ObjectIdentifier(loop)] = bound
            }
            self.contexts = contexts
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

    /// Client TLS contexts of the upstreams that speak TLS (reads CA and certificate files).
    static func upstreamTLSContexts(_ plan: GatewayPlan) throws -> [UpstreamSpec: NIOSSLContext] {
        var result: [UpstreamSpec: NIOSSLContext] = [:]
        for spec in plan.upstreams.values {
            guard let tls = spec.tls else { continue }
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
        var bound: [any Channel] = []
        var stores: [TLSListenerStore] = []
        do {
            for listener in plan.listeners {
                let store = try listener.tls.map { try TLSListenerStore(listener: listener, tls: $0) }
                if let store { stores.append(store) }
                let channel = try await bootstrap(ListenerBinding(spec: listener, certificates: store))
                    .bind(host: listener.bindHost, port: listener.port).get()
                bound.append(channel)
                logger.info(
                    "listening",
                    metadata: ["address": "\(channel.localAddress?.description ?? listener.displayAddress)"]
                )
            }
        } catch {
            for channel in bound { try? await channel.close() }
            throw ListenerError(listener: plan.listeners[bound.count], underlying: error)
        }
        serverChannels.withLockedValue { $0 = bound }
        certificateStores.withLockedValue { $0 = stores }
        if let interval = plan.settings.certificateCheckInterval, !stores.isEmpty {
            startCertificateWatcher(every: interval)
        }
    }

    /// Checks the certificate files of every TLS listener every `interval`, off the event loops.
    private func startCertificateWatcher(every interval: TimeAmount) {
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(interval.nanoseconds, 1_000_000)))
                guard let self, !Task.isCancelled else { return }
                self.reloadCertificates()
            }
        }
        certificateWatcher.withLockedValue { $0 = task }
    }

    /// Re-reads the certificate files of every TLS listener now (blocking: not on an event loop).
    /// Changed files are served to new handshakes; unusable ones are logged and the previous
    /// certificates kept. Returns whether any listener changed.
    @discardableResult
    public func reloadCertificates() -> Bool {
        let stores = certificateStores.withLockedValue { $0 }
        var changed = false
        for store in stores where store.reloadIfChanged(logger: logger) == .reloaded { changed = true }
        return changed
    }

    /// The addresses actually bound (with the real port when the plan said port 0).
    public var localAddresses: [SocketAddress] {
        serverChannels.withLockedValue { $0.compactMap(\.localAddress) }
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
    public func install(_ plan: GatewayPlan) async throws {
        let addresses = try Self.resolve(plan)
        let upstreamTLS = try Self.upstreamTLSContexts(plan)
        let services = try await rateLimits.services(for: plan)
        await documents.replace(with: plan.remoteDocuments)
        currentPlan.withLockedValue { $0 = plan }
        for bound in contexts.values {
            try await bound.eventLoop.submit {
                bound.value.install(plan: plan, services: services, addresses: addresses, upstreamTLS: upstreamTLS)
            }.get()
        }
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
        let channels = serverChannels.withLockedValue { channels in
            defer { channels = [] }
            return channels
        }
        for channel in channels { try? await channel.close() }
        let drains = contexts.values.map { bound in bound.eventLoop.flatSubmit { bound.value.beginDrain() } }
        return EventLoopFuture.andAllComplete(drains, on: group.next())
    }

    /// Graceful shutdown: stop accepting, let in-flight requests finish for up to `drainTimeout`
    /// (the plan's `drain_timeout` by default), then close every connection and stop the loops.
    /// Idempotent: a second call (e.g. SIGTERM during a drain) waits for the first to finish.
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
