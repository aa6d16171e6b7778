import NIOCore

/// How a ``RedisClient`` reaches its server.
public struct RedisClientConfiguration: Sendable {
    public var address: SocketAddress
    public var password: String?
    public var database: Int
    /// Longest wait for a connect and for each reply.
    public var timeout: TimeAmount
    /// Connections per event loop.
    public var poolSize: Int
    /// First delay before reconnecting; doubles per failed attempt up to ``maximumBackoff``.
    public var initialBackoff: TimeAmount
    public var maximumBackoff: TimeAmount

    public init(
        address: SocketAddress,
        password: String? = nil,
        database: Int = 0,
        timeout: TimeAmount = .milliseconds(50),
        poolSize: Int = 1,
        initialBackoff: TimeAmount = .milliseconds(100),
        maximumBackoff: TimeAmount = .seconds(5)
    ) {
        self.address = address
        self.password = password
        self.database = database
        self.timeout = timeout
        self.poolSize = max(1, poolSize)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }
}
