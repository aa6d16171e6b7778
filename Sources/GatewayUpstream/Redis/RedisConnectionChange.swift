/// A connection of a ``RedisClientGroup`` came up or went down.
public struct RedisConnectionChange: Sendable {
    /// Whether the connection came up.
    public var up: Bool
    /// What happened, for a log line (`connect failed: …; reconnecting in 200ms`).
    public var reason: String
    /// The event loop of the client whose connection changed.
    public var loop: ObjectIdentifier
    /// How many connections of that loop's client are up now.
    public var connected: Int

    public init(up: Bool, reason: String, loop: ObjectIdentifier, connected: Int) {
        self.up = up
        self.reason = reason
        self.loop = loop
        self.connected = connected
    }
}
