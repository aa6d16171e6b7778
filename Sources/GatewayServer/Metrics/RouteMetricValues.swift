/// What is counted per route: requests by method class and status class, latency (total and
/// until the upstream's first byte), and body bytes each way.
struct RouteMetricValues: Sendable, Equatable {
    /// Indexed `methodClass * statusClasses.count + statusClass` (see ``TrafficClass``).
    var requests = [Int](repeating: 0, count: TrafficClass.methodClasses.count * TrafficClass.statusClasses.count)
    var duration = LatencyHistogram()
    var upstream = LatencyHistogram()
    var bytesIn = 0
    var bytesOut = 0

    mutating func add(_ other: RouteMetricValues) {
        for i in requests.indices { requests[i] += other.requests[i] }
        duration.add(other.duration)
        upstream.add(other.upstream)
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
    }
}
