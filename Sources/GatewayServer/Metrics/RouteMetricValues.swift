import GatewayCore

/// What is counted per route: requests by method class and status class, latency (total and
/// until the upstream's first byte), body bytes each way, and cache results.
struct RouteMetricValues: Sendable, Equatable {
    /// Indexed `methodClass * statusClasses.count + statusClass` (see ``TrafficClass``).
    var requests = [Int](repeating: 0, count: TrafficClass.methodClasses.count * TrafficClass.statusClasses.count)
    var duration = LatencyHistogram()
    var upstream = LatencyHistogram()
    var bytesIn = 0
    var bytesOut = 0
    /// Indexed by ``CacheResult/rawValue``; all zero on routes without a cache.
    var cache = [Int](repeating: 0, count: CacheResult.allCases.count)

    mutating func add(_ other: RouteMetricValues) {
        for i in requests.indices { requests[i] += other.requests[i] }
        duration.add(other.duration)
        upstream.add(other.upstream)
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        for i in cache.indices { cache[i] += other.cache[i] }
    }
}
