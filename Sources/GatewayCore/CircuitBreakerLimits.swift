/// Circuit-breaking limits of one upstream group (`max_connections`, `max_pending`,
/// `max_requests`); `nil` means unlimited.
///
/// The configured numbers are for the whole gateway. Each event loop enforces its share
/// (``share(ofLoops:)``, rounded up, at least 1), so checking one takes no lock and no cross-loop
/// traffic; the price is that a loop may refuse while another still has room.
public struct CircuitBreakerLimits: Sendable, Hashable {
    /// Open connections (idle, busy or connecting) to the group's servers.
    public var maxConnections: Int?
    /// Requests waiting for a new connection to be established.
    public var maxPending: Int?
    /// Requests in flight to the group.
    public var maxRequests: Int?

    public init(maxConnections: Int? = nil, maxPending: Int? = nil, maxRequests: Int? = nil) {
        self.maxConnections = maxConnections
        self.maxPending = maxPending
        self.maxRequests = maxRequests
    }

    /// The limits one of `loops` event loops enforces.
    public func share(ofLoops loops: Int) -> CircuitBreakerLimits {
        func part(_ limit: Int?) -> Int? { limit.map { max(1, ($0 + loops - 1) / max(1, loops)) } }
        return CircuitBreakerLimits(maxConnections: part(maxConnections), maxPending: part(maxPending), maxRequests: part(maxRequests))
    }

    /// Whether a request may start with `inFlight` requests running (itself not counted).
    public func refusesRequest(inFlight: Int) -> CircuitBreakerLimit? {
        if let maxRequests, inFlight >= maxRequests { return .maxRequests }
        return nil
    }

    /// Whether a new connection may be opened with `open` connections (including those
    /// connecting) and `pending` requests waiting for one.
    public func refusesConnect(open: Int, pending: Int) -> CircuitBreakerLimit? {
        if let maxConnections, open >= maxConnections { return .maxConnections }
        if let maxPending, pending >= maxPending { return .maxPending }
        return nil
    }
}
