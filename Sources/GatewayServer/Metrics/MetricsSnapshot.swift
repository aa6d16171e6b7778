/// The metrics of one event loop at one moment, or of all of them added up: what `/metrics`
/// renders. Taken on each loop and summed off them at scrape time.
struct MetricsSnapshot: Sendable, Equatable {
    /// By route label; the empty label is for requests answered before a route matched.
    var routes: [String: RouteMetricValues] = [:]
    /// Policy rejections by policy, error code and reason.
    var rejections = CodeCounter()
    /// What policies in `mode shadow` would have refused, by policy, error code and reason.
    var shadowRejections = CodeCounter()
    /// Requests answered with an error, by error code.
    var errors = CodeCounter()
    /// Rate-limit decisions by limit name and reason.
    var rateLimits = CodeCounter()
    /// Requests whose rate-limit store failed, by limit name and store kind.
    var storeErrors = CodeCounter()
    /// Open client connections by listener address, then by protocol (``LoopMetrics/Protocol``).
    var connections: [String: [Int]] = [:]
    var upstreams: [String: UpstreamCounts] = [:]

    mutating func add(_ other: MetricsSnapshot) {
        for (label, values) in other.routes { routes[label, default: RouteMetricValues()].add(values) }
        rejections.add(other.rejections)
        shadowRejections.add(other.shadowRejections)
        errors.add(other.errors)
        rateLimits.add(other.rateLimits)
        storeErrors.add(other.storeErrors)
        for (listener, counts) in other.connections {
            var sum = connections[listener] ?? [Int](repeating: 0, count: counts.count)
            for i in counts.indices { sum[i] += counts[i] }
            connections[listener] = sum
        }
        for (name, counts) in other.upstreams { upstreams[name, default: UpstreamCounts()].add(counts) }
    }
}
