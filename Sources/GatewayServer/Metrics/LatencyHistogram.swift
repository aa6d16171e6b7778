/// Counts of durations by fixed upper bounds (Prometheus `le` buckets, in seconds), plus their
/// sum and count. A value type owned by one event loop: recording is a few comparisons and
/// additions, no lock.
struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds in nanoseconds, ascending; the `+Inf` bucket is ``count``.
    static let boundsNanos: [Int64] = [
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000,
        500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000, 30_000_000_000,
    ]

    /// Observations per bucket (not cumulative); rendering accumulates them.
    var buckets = [Int](repeating: 0, count: LatencyHistogram.boundsNanos.count)
    var sumNanos: Int64 = 0
    var count = 0

    mutating func record(nanos: Int64) {
        let value = max(0, nanos)
        count += 1
        sumNanos &+= value
        for i in 0..<Self.boundsNanos.count where value <= Self.boundsNanos[i] {
            buckets[i] += 1
            return
        }
    }

    mutating func add(_ other: LatencyHistogram) {
        for i in buckets.indices { buckets[i] += other.buckets[i] }
        sumNanos &+= other.sumNanos
        count += other.count
    }
}
