import Foundation
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// The response cache through the real gateway, with an upstream that counts what reaches it.
@Suite struct ResponseCacheIntegrationTests {
    @Test func hitIsServedWithoutTheUpstreamWithAgeAndCacheStatus() async throws {
        try await CacheHarness.run(upstream: { _ in .init(headers: [("Cache-Control", "max-age=600"), ("Content-Type", "text/plain")], body: "hello") }) { h in
            let first = try await h.get("/a?x=1")
            #expect(first.body == "hello")
            #expect(first.header("Cache-Status") == "c; fwd=uri-miss; stored")
            let second = try await h.get("/a?x=1")
            #expect(second.status == 200)
            #expect(second.body == "hello")
            #expect(second.header("Cache-Status")?.hasPrefix("c; hit; ttl=") == true)
            #expect(second.header("Age").flatMap { Int($0) }.map { $0 >= 0 && $0 < 600 } == true)
            #expect(second.header("Content-Length") == "5")
            #expect(second.header("X-Request-ID") != nil)
            #expect(h.upstream.requestCount == 1)
            let head = try await h.get("/a?x=1", method: "HEAD")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "5")
            let otherQuery = try await h.get("/a?x=2")
            #expect(otherQuery.header("Cache-Status") == "c; fwd=uri-miss; stored")
            #expect(h.upstream.requestCount == 2)
        }
    }

    @Test func staleEntryIsRevalidatedAndA304RefreshesIt() async throws {
        try await CacheHarness.run(upstream: { request in
            if request.head.headers["If-None-Match"] == ["\"v1\""] {
                return .init(status: .notModified, headers: [("ETag", "\"v1\""), ("Cache-Control", "max-age=600")])
            }
            return .init(headers: [("Cache-Control", "max-age=0"), ("ETag", "\"v1\"")], body: "body v1")
        }) { h in
            _ = try await h.get("/r")
            let revalidated = try await h.get("/r", headers: ["If-None-Match: \"other\""])
            #expect(revalidated.status == 200)
            #expect(revalidated.body == "body v1")
            #expect(revalidated.header("Cache-Status") == "c; fwd=stale; fwd-status=304")
            #expect(h.upstream.requests.last?.head.headers["If-None-Match"] == ["\"v1\""])
            // The 304 refreshed the entry with max-age=600: now a plain hit.
            let hit = try await h.get("/r")
            #expect(hit.header("Cache-Status")?.hasPrefix("c; hit") == true)
            #expect(hit.body == "body v1")
            #expect(h.upstream.requestCount == 2)
        }
    }

    @Test func clientConditionalsAreAnswered304FromTheCache() async throws {
        let modified = "Sun, 06 Nov 1994 08:49:37 GMT"
        try await CacheHarness.run(upstream: { _ in
            .init(headers: [("Cache-Control", "max-age=600"), ("ETag", "\"e1\""), ("Last-Modified", modified)], body: "content")
        }) { h in
            _ = try await h.get("/c")
            let byTag = try await h.get("/c", headers: ["If-None-Match: W/\"e1\""])
            #expect(byTag.status == 304)
            #expect(byTag.body == "")
            #expect(byTag.header("ETag") == "\"e1\"")
            let byDate = try await h.get("/c", headers: ["If-Modified-Since: \(modified)"])
            #expect(byDate.status == 304)
            let changed = try await h.get("/c", headers: ["If-None-Match: \"e0\""])
            #expect(changed.status == 200)
            #expect(changed.body == "content")
            #expect(h.upstream.requestCount == 1)
        }
    }

    @Test func staleIfErrorServesTheStaleEntryWhenTheUpstreamIsDown() async throws {
        let h = try await CacheHarness.start(upstream: { _ in
            // Connection: close, so no pooled connection outlives the upstream's listener.
            .init(headers: [("Cache-Control", "max-age=0, stale-if-error=3600"), ("Connection", "close")], body: "still here")
        })
        do {
            let first = try await h.get("/s")
            #expect(first.body == "still here")
            try await h.upstream.stop()
            let stale = try await h.get("/s")
            #expect(stale.status == 200)
            #expect(stale.body == "still here")
            let status = stale.header("Cache-Status") ?? ""
            #expect(status.hasPrefix("c; fwd=stale; fwd-status=5") && status.hasSuffix("; detail=stale-if-error"), "\(status)")
            // Without stale-if-error coverage the error goes through.
            let missing = try await h.get("/never-stored")
            #expect(missing.status >= 502)
        } catch {
            try await h.stop(upstreamStopped: true)
            throw error
        }
        try await h.stop(upstreamStopped: true)
    }

    @Test func concurrentMissesSendOneUpstreamRequest() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let release = group.next().makePromise(of: Void.self)
        let count = 50
        // The upstream's answer waits for `release`, which must complete whatever happens.
        defer { release.succeed(()) }
        try await CacheHarness.run(cache: "max_size 1m; coalesce_wait 60s;", upstream: { _ in
            .init(headers: [("Cache-Control", "max-age=600")], body: "shared", after: release.futureResult)
        }) { h in
            let responses = Task {
                try await withThrowingTaskGroup(of: RawClient.Response.self) { tasks in
                    for _ in 0..<count { tasks.addTask { try await h.get("/hot") } }
                    var all: [RawClient.Response] = []
                    for try await response in tasks { all.append(response) }
                    return all
                }
            }
            // Bounded polling: until the leader reached the upstream and every other request waits.
            var polls = 0
            while (h.upstream.requestCount < 1 || h.cache.waitingRequests < count - 1) && polls < 1000 {
                try await Task.sleep(for: .milliseconds(20))
                polls += 1
            }
            #expect(h.cache.waitingRequests == count - 1)
            release.succeed(())
            let all = try await responses.value
            #expect(all.count == count)
            #expect(all.allSatisfy { $0.status == 200 && $0.body == "shared" })
            #expect(h.upstream.requestCount == 1)
            #expect(all.filter { $0.header("Cache-Status")?.contains("hit") == true }.count == count - 1)
        }
        try await group.shutdownGracefully()
    }

    @Test func successfulUnsafeMethodsInvalidateTheURIAndLocation() async throws {
        try await CacheHarness.run(upstream: { request in
            if request.head.method == .POST {
                return .init(status: .created, headers: [("Location", "/items/7")], body: "made")
            }
            return .init(headers: [("Cache-Control", "max-age=600")], body: "list \(request.head.uri)")
        }) { h in
            _ = try await h.get("/items")
            _ = try await h.get("/items/7")
            #expect(try await h.get("/items").header("Cache-Status")?.hasPrefix("c; hit") == true)
            let post = try await h.get("/items", method: "POST", headers: ["Content-Length: 0"])
            #expect(post.status == 201)
            #expect(try await h.get("/items").header("Cache-Status") == "c; fwd=uri-miss; stored")
            #expect(try await h.get("/items/7").header("Cache-Status") == "c; fwd=uri-miss; stored")
            #expect(h.upstream.requestCount == 5)
        }
    }

    @Test func authorizationAndSetCookieAreNotStoredByDefault() async throws {
        try await CacheHarness.run(upstream: { request in
            switch request.head.uri {
            case "/cookie": return .init(headers: [("Cache-Control", "max-age=600"), ("Set-Cookie", "s=1")], body: "c")
            case "/public": return .init(headers: [("Cache-Control", "public, max-age=600")], body: "p")
            default: return .init(headers: [("Cache-Control", "max-age=600")], body: "a")
            }
        }) { h in
            let auth = ["Authorization: Bearer t"]
            #expect(try await h.get("/auth", headers: auth).header("Cache-Status") == "c; fwd=uri-miss; detail=authorization")
            _ = try await h.get("/auth", headers: auth)
            #expect(h.upstream.requestCount == 2)
            #expect(try await h.get("/cookie").header("Cache-Status") == "c; fwd=uri-miss; detail=set-cookie")
            _ = try await h.get("/cookie")
            #expect(h.upstream.requestCount == 4)
            _ = try await h.get("/public", headers: auth)
            #expect(try await h.get("/public", headers: auth).header("Cache-Status")?.hasPrefix("c; hit") == true)
            #expect(h.upstream.requestCount == 5)
        }
    }

    @Test func varyKeepsOneVariantPerRequestHeaderValue() async throws {
        try await CacheHarness.run(upstream: { request in
            let language = request.head.headers.first(name: "Accept-Language") ?? "none"
            if request.head.uri == "/star" { return .init(headers: [("Cache-Control", "max-age=600"), ("Vary", "*")], body: "star") }
            return .init(headers: [("Cache-Control", "max-age=600"), ("Vary", "Accept-Language")], body: "lang \(language)")
        }) { h in
            #expect(try await h.get("/v", headers: ["Accept-Language: en"]).body == "lang en")
            #expect(try await h.get("/v", headers: ["Accept-Language: de"]).header("Cache-Status") == "c; fwd=vary-miss; stored")
            let en = try await h.get("/v", headers: ["Accept-Language: en"])
            #expect(en.body == "lang en")
            #expect(en.header("Cache-Status")?.hasPrefix("c; hit") == true)
            #expect(try await h.get("/v", headers: ["Accept-Language: de"]).body == "lang de")
            #expect(h.upstream.requestCount == 2)
            #expect(try await h.get("/star").header("Cache-Status") == "c; fwd=uri-miss; detail=vary-star")
            _ = try await h.get("/star")
            #expect(h.upstream.requestCount == 4)
        }
    }

    @Test func theCompressedVariantIsStoredOnceAndServedAsIs() async throws {
        let body = String(repeating: "{\"k\":\"value\"},", count: 500)
        try await CacheHarness.run(top: "compress { types application/json; min_size 100; }\n", upstream: { _ in
            .init(headers: [("Cache-Control", "max-age=600"), ("Content-Type", "application/json")], body: body)
        }) { h in
            let gzip = try await Curl.run(["--compressed", "-H", "Host: cache.test", "http://127.0.0.1:\(h.gateway.port)/z"])
            #expect(gzip.body == body)
            #expect(gzip.head.lowercased().contains("content-encoding: gzip"))
            let again = try await Curl.run(["--compressed", "-H", "Host: cache.test", "http://127.0.0.1:\(h.gateway.port)/z"])
            #expect(again.body == body)
            #expect(again.head.lowercased().contains("cache-status: c; hit"))
            #expect(again.head.lowercased().contains("content-encoding: gzip"))
            #expect(h.upstream.requestCount == 1)
            let plain = try await h.get("/z")
            #expect(plain.body == body)
            #expect(plain.header("Content-Encoding") == nil)
            #expect(plain.header("Cache-Status") == "c; fwd=vary-miss; stored")
            #expect(try await h.get("/z").header("Cache-Status")?.hasPrefix("c; hit") == true)
            #expect(h.upstream.requestCount == 2)
        }
    }

    @Test func aFloodOfDistinctKeysStaysWithinMaxSize() async throws {
        let body = String(repeating: "x", count: 3000)
        try await CacheHarness.run(cache: "max_size 64k; max_object 4k;", upstream: { _ in
            .init(headers: [("Cache-Control", "max-age=600")], body: body)
        }) { h in
            for i in 0..<200 {
                let response = try await h.get("/flood/\(i)")
                #expect(response.body == body)
                #expect(h.cache.storedBytes <= 64 * 1024)
            }
            #expect(h.cache.storedKeys > 0)
            #expect(h.cache.storedKeys < 200)
            // The most recent key is still there.
            #expect(try await h.get("/flood/199").header("Cache-Status")?.hasPrefix("c; hit") == true)
        }
    }
}
