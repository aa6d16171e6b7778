/// The counters of one upstream group: failed connects, retries on another server, and the
/// connections of its pools right now (gauges: idle keep-alive, carrying a request, connecting).
struct UpstreamCounts: Sendable, Equatable {
    var connectErrors = 0
    var retries = 0
    var idleConnections = 0
    var activeConnections = 0
    var pendingConnects = 0

    mutating func add(_ other: UpstreamCounts) {
        connectErrors += other.connectErrors
        retries += other.retries
        idleConnections += other.idleConnections
        activeConnections += other.activeConnections
        pendingConnects += other.pendingConnects
    }
}
