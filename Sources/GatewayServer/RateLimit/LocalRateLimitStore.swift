import GatewayCore
import GatewayPolicies
import NIOConcurrencyHelpers
import NIOCore

/// The buckets of one limit in this process, shared by every event loop.
///
/// Concurrency: the key's hash picks one of ``shardCount`` shards, each a lock around a
/// dictionary. The critical section is one dictionary access and a few floating-point operations,
/// so event loops contend only when two of their keys land on the same shard at the same instant,
/// never on one global lock. Compare-and-swap on packed bucket state would still need a
/// concurrent map to find the bucket; the sharded map gives both with less code.
///
/// Memory is bounded: a bucket that has refilled completely equals a fresh one and is dropped
/// by a sweep of its shard (at most once per ``sweepInterval``); if a shard still holds
/// ``capacity``/``shardCount`` buckets, arbitrary ones are dropped (those clients start again
/// with a full bucket).
final class LocalRateLimitStore: RateLimitStore {
    static let shardCount = 64
    /// Buckets kept per limit before eviction of buckets that are not yet full.
    static let defaultCapacity = 200_000

    let parameters: TokenBucket.Parameters
    /// `.store` for a `store local` limit; `.localFallback` for the fallback of a Redis limit.
    let source: RateLimitOutcome.Source
    let capacity: Int
    private let shards: [NIOLockedValueBox<Shard>]
    private let clock: @Sendable () -> Int64
    private let sweepInterval: Int64

    private struct Shard {
        var buckets: [String: TokenBucket] = [:]
        var nextSweep: Int64 = 0
    }

    init(
        parameters: TokenBucket.Parameters,
        source: RateLimitOutcome.Source = .store,
        capacity: Int = LocalRateLimitStore.defaultCapacity,
        clock: @escaping @Sendable () -> Int64 = LocalRateLimitStore.monotonicNanos
    ) {
        self.parameters = parameters
        self.source = source
        self.capacity = max(Self.shardCount, capacity)
        self.clock = clock
        self.shards = (0..<Self.shardCount).map { _ in NIOLockedValueBox(Shard()) }
        self.sweepInterval = min(max(parameters.fillNanos, 1_000_000_000), 60_000_000_000)
    }

    static let monotonicNanos: @Sendable () -> Int64 = { Int64(NIODeadline.now().uptimeNanoseconds) }

    func take(key: String, cost: Int, on eventLoop: any EventLoop) -> RateLimitStoreAnswer {
        .decided(take(key: key, cost: cost))
    }

    /// Takes `cost` tokens from the bucket `key` now.
    func take(key: String, cost: Int) -> RateLimitOutcome {
        let now = clock()
        let shard = shards[Int(UInt(bitPattern: key.hashValue) % UInt(Self.shardCount))]
        let perShard = capacity / Self.shardCount
        let parameters = self.parameters
        var outcome = shard.withLockedValue { shard in
            if now >= shard.nextSweep || shard.buckets.count >= perShard {
                Self.sweep(&shard, now: now, parameters: parameters, limit: perShard)
                shard.nextSweep = now + sweepInterval
            }
            return shard.buckets[key, default: TokenBucket(parameters: parameters, now: now)]
                .take(cost: cost, now: now, parameters: parameters)
        }
        outcome.source = source
        return outcome
    }

    /// Buckets held, over all shards.
    var count: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.buckets.count } } }

    private static func sweep(_ shard: inout Shard, now: Int64, parameters: TokenBucket.Parameters, limit: Int) {
        shard.buckets = shard.buckets.filter { !$0.value.isFull(at: now, parameters: parameters) }
        while shard.buckets.count >= limit {
            shard.buckets.remove(at: shard.buckets.startIndex)
        }
    }
}
