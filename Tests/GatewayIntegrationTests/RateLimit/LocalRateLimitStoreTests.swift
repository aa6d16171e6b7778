import GatewayCore
import GatewayPolicies
@testable import GatewayServer
import NIOConcurrencyHelpers
import Testing

/// The shared in-process store with a manual clock: buckets per key, eviction of refilled
/// buckets, the memory bound, and exactness under threads racing for one bucket.
@Suite struct LocalRateLimitStoreTests {
    final class Clock: Sendable {
        private let nanos = NIOLockedValueBox<Int64>(0)
        var now: Int64 { nanos.withLockedValue { $0 } }
        func advance(_ delta: Int64) { nanos.withLockedValue { $0 += delta } }
    }

    static let parameters = TokenBucket.Parameters(rate: 10, periodNanos: 1_000_000_000, burst: 2)

    @Test func bucketsAreKeyed() {
        let clock = Clock()
        let store = LocalRateLimitStore(parameters: Self.parameters, clock: { clock.now })
        #expect([store.take(key: "a", cost: 1), store.take(key: "a", cost: 1), store.take(key: "a", cost: 1)].map(\.allowed) == [true, true, false])
        #expect(store.take(key: "b", cost: 1).allowed)
        #expect(store.count == 2)
    }

    @Test func refilledBucketsAreEvicted() {
        let clock = Clock()
        let store = LocalRateLimitStore(parameters: Self.parameters, clock: { clock.now })
        for i in 0..<1000 { _ = store.take(key: "k\(i)", cost: 2) }
        #expect(store.count == 1000)
        // Every bucket is full again after 200 ms; the next sweep of each shard drops them.
        clock.advance(1_000_000_000)
        for i in 0..<1000 { _ = store.take(key: "fresh\(i)", cost: 1) }
        #expect(store.count <= 1000)
        #expect(store.count >= 1000 - LocalRateLimitStore.shardCount)
        // An evicted bucket is indistinguishable from a kept one: full.
        #expect(store.take(key: "k1", cost: 2).allowed)
    }

    @Test func capacityBoundsMemoryEvenForBucketsNotYetFull() {
        let clock = Clock()
        let store = LocalRateLimitStore(parameters: Self.parameters, capacity: 640, clock: { clock.now })
        for i in 0..<10_000 { _ = store.take(key: "k\(i)", cost: 1) }
        #expect(store.count <= 640)
    }

    @Test func racingThreadsTakeExactlyTheBurst() async {
        let store = LocalRateLimitStore(parameters: TokenBucket.Parameters(rate: 1, periodNanos: 3_600_000_000_000, burst: 1000))
        let allowed = await withTaskGroup(of: Int.self) { tasks in
            for _ in 0..<8 {
                tasks.addTask { (0..<500).reduce(0) { sum, _ in sum + (store.take(key: "one", cost: 1).allowed ? 1 : 0) } }
            }
            return await tasks.reduce(0, +)
        }
        #expect(allowed == 1000)
    }

    @Test func fallbackStoreMarksItsOutcomes() {
        let store = LocalRateLimitStore(parameters: Self.parameters, source: .localFallback)
        #expect(store.take(key: "a", cost: 1).source == .localFallback)
    }
}
