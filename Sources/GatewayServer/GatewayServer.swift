import GatewayCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The running gateway: its event loops, listeners and per-loop state.
///
/// Start it with a compiled plan; it binds every listener of the plan. Shutdown is graceful:
/// stop accepting, let in-flight requests finish up to the drain time, then close.
public final class GatewayServer: Sendable {
    public let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let contexts: [ObjectIdentifier: NIOLoopBound<LoopContext>]
    private let serverChannels = NIOLockedValueBox<[any Channel]>([])
    private let accessLog: AccessLogSink?
    private let currentPlan: NIOLockedValueBox<GatewayPlan>
    private let rateLimits: RateLimitRegistry

    /// Creates the event loops and per-loop state for `plan` (resolving upstream server names,
    /// which may block: call it off the event loops).
    public init(plan: GatewayPlan, logger: Logger) async throws {
        let threads = plan.settings.workerThreads ?? System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        self.group = group
        self.logger = logger
        self.currentPlan = NIOLockedValueBox(plan)
        let rateLimits = RateLimitRegistry(group: group, logger: logger)
        self.rateLimits = rateLimits
        do {
            let accessLog = try AccessLogSink.open(plan.settings.accessLog)
            self.accessLog = accessLog
            let addresses = try Self.resolve(plan)
            let services = try await rateLimits.services(for: plan)
            var contexts: [ObjectIdentifier: NIOLoopBound<LoopContext>] = [:]
            for loop in group.makeIterator() {
                let bound = try await loop.submit {
                    NIOLoopBound(
                        LoopContext(eventLoop: loop, plan: plan, services: services, addresses: addresses, accessLog: accessLog),
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

    public var plan: GatewayPlan { currentPlan.withLockedValue { $0 } }

    /// Binds every listener of the plan. Throws (after closing what was bound) if one fails.
    public func start() async throws {
        let plan = self.plan
        var bound: [any Channel] = []
        do {
            for listener in plan.listeners {
                let channel = try await bootstrap(scheme: "http", timeouts: plan.settings.timeouts)
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
    }

    /// The addresses actually bound (with the real port when the plan said port 0).
    public var localAddresses: [SocketAddress] {
        serverChannels.withLockedValue { $0.compactMap(\.localAddress) }
    }

    private func bootstrap(scheme: String, timeouts: ServerTimeouts) -> ServerBootstrap {
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
                    try Self.configure(channel: channel, loop: loop, scheme: scheme)
                }
            }
    }

    /// The client pipeline: byte-level timeouts → HTTP/1 codec with pipelining → the exchange.
    static func configure(channel: any Channel, loop: LoopContext, scheme: String) throws {
        let timeouts = ConnectionTimeoutHandler(timeouts: loop.plan.settings.timeouts)
        let peer = channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(timeouts)
        try sync.configureHTTPServerPipeline(
            withPipeliningAssistance: true,
            withErrorHandling: false
        )
        try sync.addHandler(HTTPExchangeHandler(loop: loop, connectionTimeouts: timeouts, peer: peer, scheme: scheme))
    }

    /// Installs a new plan on every event loop; requests in flight keep the plan they started with.
    public func install(_ plan: GatewayPlan) async throws {
        let addresses = try Self.resolve(plan)
        let services = try await rateLimits.services(for: plan)
        currentPlan.withLockedValue { $0 = plan }
        for bound in contexts.values {
            try await bound.eventLoop.submit { bound.value.install(plan: plan, services: services, addresses: addresses) }.get()
        }
    }

    /// Stops accepting new connections and asks every open connection to finish its current
    /// request and close. Returns once the listeners are closed and every loop is draining.
    public func stopAccepting() async {
        let channels = serverChannels.withLockedValue { channels in
            defer { channels = [] }
            return channels
        }
        for channel in channels { try? await channel.close() }
        for bound in contexts.values {
            _ = try? await bound.eventLoop.submit { _ = bound.value.beginDrain() }.get()
        }
    }

    /// Graceful shutdown: stop accepting, let in-flight requests finish for up to `drainTimeout`
    /// (the plan's `drain_timeout` by default), then close every connection and stop the loops.
    public func shutdown(drainTimeout: TimeAmount? = nil) async {
        let drain = drainTimeout ?? plan.settings.drainTimeout
        await stopAccepting()
        let loop = group.next()
        let drained = EventLoopFuture.andAllComplete(
            contexts.values.map { bound in bound.eventLoop.flatSubmit { bound.value.beginDrain() } },
            on: loop
        )
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
