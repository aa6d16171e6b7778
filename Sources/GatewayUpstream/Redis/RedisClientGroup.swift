import NIOCore

/// One ``RedisClient`` per event loop of a group, so a request's Redis commands run on its own
/// loop without a thread hop.
///
/// The map from loop to client is built once and never changes, so finding a request's client
/// takes no lock.
public final class RedisClientGroup: Sendable {
    private let clients: [ObjectIdentifier: NIOLoopBound<RedisClient>]
    public let configuration: RedisClientConfiguration

    private init(clients: [ObjectIdentifier: NIOLoopBound<RedisClient>], configuration: RedisClientConfiguration) {
        self.clients = clients
        self.configuration = configuration
    }

    /// Creates and starts a client on every loop of `group`. `onConnectionChange` is called on
    /// the client's loop whenever a connection comes up or goes down.
    public static func start(
        on group: any EventLoopGroup,
        configuration: RedisClientConfiguration,
        onConnectionChange: @escaping @Sendable (RedisConnectionChange) -> Void
    ) async throws -> RedisClientGroup {
        var clients: [ObjectIdentifier: NIOLoopBound<RedisClient>] = [:]
        for loop in group.makeIterator() {
            let id = ObjectIdentifier(loop)
            clients[id] = try await loop.submit {
                let client = RedisClient(eventLoop: loop, configuration: configuration)
                client.onConnectionChange = { [unowned client] up, reason in
                    onConnectionChange(RedisConnectionChange(up: up, reason: reason, loop: id, connected: client.connectedCount))
                }
                client.start()
                return NIOLoopBound(client, eventLoop: loop)
            }.get()
        }
        return RedisClientGroup(clients: clients, configuration: configuration)
    }

    /// The event loops that have a client.
    public var eventLoops: [any EventLoop] { clients.values.map(\.eventLoop) }

    /// The client of `eventLoop`; call it on that loop.
    public func client(on eventLoop: any EventLoop) -> RedisClient? {
        clients[ObjectIdentifier(eventLoop)]?.value
    }

    /// Closes every client.
    public func close() async {
        for bound in clients.values {
            try? await bound.eventLoop.submit { bound.value.close() }.get()
        }
    }
}
