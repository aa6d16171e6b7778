/// Which circuit-breaker limit refused a request; the raw value is the stable reason code of the
/// access log and the directive that sets it.
public enum CircuitBreakerLimit: String, Sendable, Hashable {
    case maxConnections = "max_connections"
    case maxPending = "max_pending"
    case maxRequests = "max_requests"
}
