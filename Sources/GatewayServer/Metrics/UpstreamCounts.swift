/// The counters of one upstream group: failed connects, retries on another server, and the idle
/// keep-alive connections pooled right now (a gauge).
struct UpstreamCounts: Sendable, Equatable {
    var connectErrors = 0
    var retries = 0
    var idleConnections = 0

    mutating func add(_ other: UpstreamCounts) {
        connectErrors += other.connectErrors
        retries += other.retries
        idleConnections += other.idleConnections
    }
}
