import GatewayCore
import GatewayPolicies
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@Suite struct ResponseCacheTests {
    static func entry(bytes: Int, vary: HTTPHeaders = [:], request: HTTPHeaders = [:]) -> CachedResponse {
        CachedResponse(
            status: .ok, headers: HTTPHeaders([("Cache-Control", "max-age=60")]), body: ByteBuffer(repeating: 0x61, count: bytes),
            freshness: CacheFreshness(status: 200, headers: HTTPHeaders([("Cache-Control", "max-age=60")]), requestTime: 0, responseTime: 0),
            variant: CacheVariant(vary: vary, request: request))
    }

    static func key(_ path: String, host: String = "h") -> CacheKey { CacheKey(host: host, path: path, query: nil) }

    @Test func storesAndFindsVariants() {
        let cache = ResponseCache(config: CacheConfig(name: "c"))
        let vary = HTTPHeaders([("Vary", "Accept-Encoding")])
        cache.store(Self.entry(bytes: 10, vary: vary, request: HTTPHeaders([("Accept-Encoding", "gzip")])), under: Self.key("/a"))
        cache.store(Self.entry(bytes: 20, vary: vary, request: [:]), under: Self.key("/a"))
        #expect(cache.lookup(Self.key("/a"), request: HTTPHeaders([("Accept-Encoding", "gzip")])).entry?.body.readableBytes == 10)
        #expect(cache.lookup(Self.key("/a"), request: [:]).entry?.body.readableBytes == 20)
        #expect(cache.lookup(Self.key("/b"), request: [:]).keyKnown == false)
        #expect(cache.storedKeys == 1)
    }

    @Test func aFloodOfKeysStaysWithinTheByteBoundAndEvictsLeastRecentlyUsed() {
        let cache = ResponseCache(config: CacheConfig(name: "c", maxSize: 64 * 1024, maxObject: 2048))
        let first = Self.key("/keep")
        cache.store(Self.entry(bytes: 1000), under: first)
        for i in 0..<5000 {
            cache.store(Self.entry(bytes: 1000), under: Self.key("/k\(i)"))
            // Keep one key in use: LRU must spare it.
            if i % 2 == 0 { _ = cache.lookup(first, request: [:]) }
            #expect(cache.storedBytes <= 64 * 1024)
        }
        #expect(cache.lookup(first, request: [:]).entry != nil)
        #expect(cache.lookup(Self.key("/k0"), request: [:]).entry == nil)
        #expect(cache.storedKeys > 16)
    }

    @Test func refusesObjectsAboveMaxObject() {
        let cache = ResponseCache(config: CacheConfig(name: "c", maxObject: 100))
        cache.store(Self.entry(bytes: 101), under: Self.key("/big"))
        #expect(cache.storedKeys == 0)
    }

    @Test func purgeByURLAndPrefix() {
        let cache = ResponseCache(config: CacheConfig(name: "c", keyHeaders: ["x-tenant"]))
        for path in ["/a", "/a/1", "/a/2", "/b"] {
            for tenant in ["t1", "t2"] {
                let key = CacheKey(host: "h", path: path, query: nil, extraHeaders: ["x-tenant"], from: HTTPHeaders([("X-Tenant", tenant)]))
                cache.store(Self.entry(bytes: 10), under: key)
            }
        }
        #expect(cache.storedKeys == 8)
        #expect(cache.purge(url: "h/a") == 2)
        #expect(cache.purge(prefix: "h/a/") == 4)
        #expect(cache.storedKeys == 2)
        #expect(cache.purge(url: "h/zzz") == 0)
    }

    @Test func coalescingLetsOneLeadAndWakesTheOthers() throws {
        let loop = EmbeddedEventLoop()
        let cache = ResponseCache(config: CacheConfig(name: "c", coalesceWait: 5))
        let key = Self.key("/a")
        #expect(cache.joinFill(key, now: 100, on: loop) == nil)
        let followers = (0..<3).compactMap { _ in cache.joinFill(key, now: 101, on: loop) }
        #expect(followers.count == 3)
        let woken = Counter()
        for f in followers { f.whenSuccess { woken.value += 1 } }
        #expect(woken.value == 0)
        cache.finishFill(key)
        loop.run()
        #expect(woken.value == 3)
        // A fill older than the wait is taken over by the next request.
        #expect(cache.joinFill(key, now: 200, on: loop) == nil)
        #expect(cache.joinFill(key, now: 206, on: loop) == nil)
        cache.finishFill(key)
        try loop.syncShutdownGracefully()
    }

    @Test func aBackgroundRefreshLeadsOnlyAnIdleKeyAndWaitsForNobody() throws {
        let loop = EmbeddedEventLoop()
        let cache = ResponseCache(config: CacheConfig(name: "c", coalesceWait: 5))
        let key = Self.key("/a")
        #expect(cache.leadFill(key, now: 100))
        #expect(!cache.leadFill(key, now: 101))
        // A miss arriving meanwhile follows the refresh, and wakes when it ends.
        let follower = try #require(cache.joinFill(key, now: 101, on: loop))
        let woken = Counter()
        follower.whenSuccess { woken.value += 1 }
        cache.finishFill(key)
        loop.run()
        #expect(woken.value == 1)
        #expect(cache.leadFill(key, now: 102))
        // A refresh older than the wait is taken over.
        #expect(cache.leadFill(key, now: 110))
        cache.finishFill(key)
        cache.recordBackgroundOutcome(.failed)
        let counts = cache.backgroundRevalidations
        #expect(counts.started == 3 && counts.refreshed == 0 && counts.replaced == 0 && counts.failed == 1)
        try loop.syncShutdownGracefully()
    }

    @Test func purgeWhereRemovesEveryMatchingURI() {
        let cache = ResponseCache(config: CacheConfig(name: "c"))
        for uri in [("h", "/img/1"), ("g", "/img/2"), ("h", "/css/1")] { cache.store(Self.entry(bytes: 10), under: Self.key(uri.1, host: uri.0)) }
        #expect(cache.purge { $0.contains("/img/") } == 2)
        #expect(cache.storedKeys == 1)
    }
}

/// A count touched only on the one thread of an EmbeddedEventLoop.
final class Counter: @unchecked Sendable {
    var value = 0
}
