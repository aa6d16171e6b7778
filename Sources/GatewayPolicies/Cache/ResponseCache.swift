import GatewayCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// An in-memory response cache shared by every event loop, bounded in bytes with LRU eviction.
///
/// Split into shards by the hash of the target URI, each with its own lock held only for a
/// dictionary lookup or update (never across IO or while copying a body), so concurrent hits on
/// different loops rarely meet and a hit never leaves its thread. Every variant and fill of one
/// URI lives in one shard, which keeps invalidation and purge by URL to one lock.
public final class ResponseCache: ResponseCacheStore {
    public let config: CacheConfig
    private let shards: [NIOLockedValueBox<ResponseCacheShard>]
    /// Touched once per background refresh, never per request.
    private let counts = NIOLockedValueBox(BackgroundCounts())

    public static let shardCount = 16

    public var name: String { config.name }

    public init(config: CacheConfig) {
        self.config = config
        let budget = max(config.maxSize / Self.shardCount, 1)
        self.shards = (0..<Self.shardCount).map { _ in NIOLockedValueBox(ResponseCacheShard(budget: budget)) }
    }

    private func shard(_ uri: String) -> NIOLockedValueBox<ResponseCacheShard> {
        var hasher = Hasher()
        hasher.combine(uri)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(Self.shardCount))]
    }

    /// The stored variant of `key` that `request` selects, if any, and whether the key had
    /// variants at all (a `vary-miss` otherwise).
    public func lookup(_ key: CacheKey, request: HTTPHeaders) -> (entry: CachedResponse?, keyKnown: Bool) {
        guard let variants = shard(key.uri).withLockedValue({ $0.variants(of: key) }) else { return (nil, false) }
        return (variants.last { $0.variant.matches(request) }, true)
    }

    /// Stores `entry` under `key` if it is within `max_object`.
    public func store(_ entry: CachedResponse, under key: CacheKey) {
        guard entry.body.readableBytes <= config.maxObject else { return }
        shard(key.uri).withLockedValue { $0.store(entry, under: key) }
    }

    public func remove(_ entry: CachedResponse, under key: CacheKey) {
        shard(key.uri).withLockedValue { $0.remove(entry, under: key) }
    }

    /// Joins the fill of `key`: `nil` makes the caller its leader (it must call ``finishFill(_:)``);
    /// otherwise a future that completes when the leader is done. A fill older than the
    /// coalescing wait is taken over, so a leader that vanished blocks nobody for long.
    public func joinFill(_ key: CacheKey, now: Int64, on eventLoop: any EventLoop) -> EventLoopFuture<Void>? {
        let wait = config.coalesceWait
        return shard(key.uri).withLockedValue { $0.join(key, now: now, staleAfter: wait, on: eventLoop) }
    }

    /// Makes the caller the leader of `key`'s fill unless a fill runs already (one younger than
    /// the coalescing wait), without waiting: a background refresh joins nothing. Returns
    /// whether the caller leads (and must call ``finishFill(_:)``); counts a started refresh.
    public func leadFill(_ key: CacheKey, now: Int64) -> Bool {
        let wait = config.coalesceWait
        let leads = shard(key.uri).withLockedValue { $0.lead(key, now: now, staleAfter: wait) }
        if leads { counts.withLockedValue { $0.started += 1 } }
        return leads
    }

    /// Counts how a background refresh ended.
    public func recordBackgroundOutcome(_ outcome: BackgroundOutcome) {
        counts.withLockedValue { counts in
            switch outcome {
            case .refreshed: counts.refreshed += 1
            case .replaced: counts.replaced += 1
            case .failed: counts.failed += 1
            }
        }
    }

    /// Background refreshes started and how they ended, since the cache was created.
    public var backgroundRevalidations: BackgroundCounts { counts.withLockedValue { $0 } }

    public var backgroundRevalidationCounts: [(outcome: String, count: Int)] {
        let counts = backgroundRevalidations
        return [("started", counts.started), ("refreshed", counts.refreshed), ("replaced", counts.replaced), ("failed", counts.failed)]
    }

    /// Ends the fill of `key` and wakes its followers (each on its own event loop).
    public func finishFill(_ key: CacheKey) {
        let waiters = shard(key.uri).withLockedValue { $0.finishFill(key) }
        for waiter in waiters { waiter.succeed(()) }
    }

    @discardableResult public func purge(url: String) -> Int {
        shard(url).withLockedValue { $0.purge(uri: url) }
    }

    @discardableResult public func purge(prefix: String) -> Int {
        purge { $0.hasPrefix(prefix) }
    }

    @discardableResult public func purge(where matches: (String) -> Bool) -> Int {
        shards.reduce(0) { total, shard in total + shard.withLockedValue { $0.purge(where: matches) } }
    }

    public var storedBytes: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.bytes } } }
    public var storedKeys: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.keyCount } } }
    /// Requests waiting now for another request's fill of the same key (coalesced misses).
    public var waitingRequests: Int { shards.reduce(0) { $0 + $1.withLockedValue { $0.waiterCount } } }
}

extension ResponseCache {
    /// How a background (`stale-while-revalidate`) refresh ended.
    public enum BackgroundOutcome: Sendable {
        /// A 304 renewed the stored entry.
        case refreshed
        /// A new storable response replaced it.
        case replaced
        /// An error, a timeout or a response that may not be stored: the entry stays as it was.
        case failed
    }

    public struct BackgroundCounts: Sendable, Equatable {
        public var started = 0
        public var refreshed = 0
        public var replaced = 0
        public var failed = 0
    }
}
