import GatewayPolicies
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// `stale-while-revalidate` through the real gateway: the stale entry answers at once, one
/// background request per key refreshes it, and the client never waits for that request.
@Suite struct StaleWhileRevalidateTests {
    /// Polls (bounded) until `condition` holds; the loop waits on real work, never on time alone.
    static func waitUntil(_ condition: () -> Bool) async throws {
        var polls = 0
        while !condition() && polls < 500 {
            try await Task.sleep(for: .milliseconds(20))
            polls += 1
        }
    }

    @Test func staleEntryIsServedAtOnceAndRefreshedOnceInTheBackground() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let release = group.next().makePromise(of: Void.self)
        // The refresh's answer waits for `release`, which must complete whatever happens.
        defer { release.succeed(()) }
        // A long coalescing wait: however slow the machine, the refresh is not taken over.
        try await CacheHarness.run(cache: "max_size 1m; max_object 64k; coalesce_wait 60s;", upstream: { request in
            if request.head.headers["If-None-Match"].isEmpty {
                return .init(headers: [("Cache-Control", "max-age=0, stale-while-revalidate=3600"), ("ETag", "\"v1\"")], body: "body v1")
            }
            return .init(headers: [("Cache-Control", "max-age=600"), ("ETag", "\"v2\"")], body: "body v2", after: release.futureResult)
        }) { h in
            let first = try await h.get("/swr")
            #expect(first.body == "body v1")
            // Stale at once (max-age=0): answered from the cache while the refresh is held upstream.
            let stale = try await h.get("/swr")
            #expect(stale.status == 200)
            #expect(stale.body == "body v1")
            let status = stale.header("Cache-Status") ?? ""
            #expect(status.hasPrefix("c; hit; ttl=") && status.hasSuffix("; detail=stale-while-revalidate"), "\(status)")
            try await Self.waitUntil { h.upstream.requestCount == 2 }
            #expect(h.upstream.requestCount == 2)
            #expect(h.upstream.requests.last?.head.headers["If-None-Match"] == ["\"v1\""])
            // More requests meanwhile: still stale answers, and no second refresh of the key.
            for _ in 0..<3 {
                let again = try await h.get("/swr")
                #expect(again.body == "body v1")
            }
            #expect(h.upstream.requestCount == 2)
            #expect(h.cache.backgroundRevalidations.started == 1)
            release.succeed(())
            try await Self.waitUntil { h.cache.backgroundRevalidations.replaced == 1 && h.cache.waitingRequests == 0 }
            #expect(h.cache.backgroundRevalidations.replaced == 1)
            let key = CacheKey(host: "cache.test", path: "/swr", query: nil)
            try await Self.waitUntil { h.cache.lookup(key, request: HTTPHeaders()).entry.map { String(buffer: $0.body) } == "body v2" }
            let refreshed = try await h.get("/swr")
            #expect(refreshed.body == "body v2")
            #expect(refreshed.header("Cache-Status")?.hasPrefix("c; hit; ttl=") == true)
            #expect(refreshed.header("Cache-Status")?.contains("stale") == false)
            #expect(h.upstream.requestCount == 2)
        }
        try await group.shutdownGracefully()
    }

    @Test func aFailedRefreshKeepsTheEntryAndIsCounted() async throws {
        try await CacheHarness.run(
            upstream: { request in
                if request.head.headers["If-None-Match"].isEmpty {
                    return .init(headers: [("Cache-Control", "max-age=0, stale-while-revalidate=3600"), ("ETag", "\"v1\"")], body: "kept")
                }
                return .init(status: .internalServerError, body: "broken")
            }
        ) { h in
            _ = try await h.get("/f")
            let stale = try await h.get("/f")
            #expect(stale.body == "kept")
            try await Self.waitUntil { h.cache.backgroundRevalidations.failed == 1 }
            #expect(h.cache.backgroundRevalidations.failed == 1)
            #expect(h.cache.waitingRequests == 0)
            // The entry is still there, and the next stale answer starts the next refresh.
            let again = try await h.get("/f")
            #expect(again.body == "kept")
            try await Self.waitUntil { h.cache.backgroundRevalidations.failed == 2 }
            #expect(h.cache.backgroundRevalidations.started == 2)
        }
    }

    @Test func withoutStaleWhileRevalidateTheClientWaitsForTheRevalidation() async throws {
        try await CacheHarness.run(upstream: { request in
            if request.head.headers["If-None-Match"].isEmpty {
                return .init(headers: [("Cache-Control", "max-age=0"), ("ETag", "\"v1\"")], body: "v1")
            }
            return .init(status: .notModified, headers: [("ETag", "\"v1\""), ("Cache-Control", "max-age=600")])
        }) { h in
            _ = try await h.get("/sync")
            let revalidated = try await h.get("/sync")
            #expect(revalidated.header("Cache-Status") == "c; fwd=stale; fwd-status=304")
            #expect(h.cache.backgroundRevalidations.started == 0)
        }
    }

    @Test func aBackgroundRefreshDoesNotHoldUpTheShutdown() async throws {
        let h = try await CacheHarness.start(upstream: { request in
            if request.head.headers["If-None-Match"].isEmpty {
                return .init(headers: [("Cache-Control", "max-age=0, stale-while-revalidate=3600"), ("ETag", "\"v1\"")], body: "v1")
            }
            return .init(body: "never", hang: true)
        })
        do {
            _ = try await h.get("/hang")
            _ = try await h.get("/hang")
            try await Self.waitUntil { h.upstream.requestCount == 2 }
            #expect(h.upstream.requestCount == 2)
        } catch {
            try await h.stop()
            throw error
        }
        // The upstream never answers the refresh (first_byte_timeout 60s by default): stopping
        // must not wait for it, and the fill it led ends.
        let started = ContinuousClock.now
        try await h.stop()
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(h.cache.waitingRequests == 0)
        #expect(h.cache.backgroundRevalidations.failed == 1)
    }
}
