/// A failure after which a request may be tried again on another server (`retry_on …;`).
public enum RetryCondition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The TCP (or TLS) connect failed: nothing was sent.
    case connectFailure
    /// The connection closed or failed before a response head arrived.
    case reset
    /// No response head within `per_try_timeout` (or `first_byte_timeout`).
    case timeout
    /// The server answered with this status (500...599).
    case status(Int)

    public var description: String {
        switch self {
        case .connectFailure: return "connect_failure"
        case .reset: return "reset"
        case .timeout: return "timeout"
        case .status(let code): return String(code)
        }
    }
}
