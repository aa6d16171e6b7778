import NIOCore

/// The Redis that `store redis` limits share (`redis redis://HOST:PORT/DB { … }`).
///
/// Hashable so that a reload keeps the connections when nothing about them changed.
public struct RedisSpec: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var database: Int
    public var password: String?
    /// Longest wait for one answer (and for a connect); a limit decides without Redis after it.
    public var timeout: TimeAmount
    /// Connections per event loop; commands are pipelined on each.
    public var pool: Int
    /// How many gateway instances share this Redis: `on_store_error local` divides a limit by it.
    /// `nil` when not configured (then no limit may fall back locally).
    public var instances: Int?
    public var location: SourceLocation?

    public init(
        host: String,
        port: Int = 6379,
        database: Int = 0,
        password: String? = nil,
        timeout: TimeAmount = .milliseconds(50),
        pool: Int = 1,
        instances: Int? = nil,
        location: SourceLocation? = nil
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
        self.timeout = timeout
        self.pool = pool
        self.instances = instances
        self.location = location
    }

    public static func == (a: RedisSpec, b: RedisSpec) -> Bool {
        a.host == b.host && a.port == b.port && a.database == b.database && a.password == b.password
            && a.timeout == b.timeout && a.pool == b.pool && a.instances == b.instances
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(host)
        hasher.combine(port)
        hasher.combine(database)
        hasher.combine(timeout)
        hasher.combine(pool)
        hasher.combine(instances)
    }

    /// `redis://HOST:PORT/DB`, never with the password.
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "redis://\(host):\(port)/\(database)"
    }
}
