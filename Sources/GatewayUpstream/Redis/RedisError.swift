/// Why a Redis command has no reply.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No connection is up (connecting failed; the client retries with backoff).
    case unavailable(String)
    /// No reply within the configured timeout.
    case timeout
    /// The connection closed before the reply came.
    case connectionClosed
    /// The bytes from the server are not valid RESP.
    case protocolError(String)
    /// The server answered with an error reply.
    case server(String)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case .unavailable(let reason): "redis unavailable: \(reason)"
        case .timeout: "redis timed out"
        case .connectionClosed: "redis connection closed"
        case .protocolError(let reason): "redis protocol error: \(reason)"
        case .server(let message): "redis error: \(message)"
        case .closed: "redis client closed"
        }
    }
}
