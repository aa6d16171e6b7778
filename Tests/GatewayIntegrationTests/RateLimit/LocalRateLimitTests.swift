import GatewayCore
import GatewayServer
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// Rate limits with the in-process store, through the real server: exact burst, 429 with
/// `Retry-After` before the upstream, the standard headers, shadow mode, keys that spoofing does
/// not move, several event loops sharing one bucket space, and buckets that survive a reload.
@Suite("Rate limits, local store") struct LocalRateLimitTests {
    static func config(limit: String, route: String = "rate_limit lim;", workers: Int = 1) -> String {
        """
        worker_threads \(workers);
        access_log off;
        listen 127.0.0.1:0;
        upstream app { server 127.0.0.1:${UPSTREAM}; }
        rate_limit lim { \(limit) }
        route /* { proxy app; \(route) }
        route /free { proxy app; }
        """
    }

    static func withGateway(
        _ text: String, _ body: (TestUpstream, TestGateway, MultiThreadedEventLoopGroup) async throws -> Void
    ) async throws {
        try await GatewayIntegrationTests.withGateway(threads: 2, plan: { try RateLimitHarness.plan(text, upstream: $0) }, body)
    }

    @Test func exactlyBurstPassThenTooManyRequests() async throws {
        try await Self.withGateway(Self.config(limit: "rate 1/h; burst 5;")) { upstream, gateway, group in
            let statuses = try await RateLimitHarness.statuses(8, port: gateway.port, group: group)
            #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
            #expect(upstream.requestCount == 5)
            // Another route without the limit is untouched.
            let free = try await RateLimitHarness.get(port: gateway.port, group: group, path: "/free")
            #expect(free.status == 200)
        }
    }

    @Test func limitedResponseCarriesRetryAfterAndHeaders() async throws {
        // Slow refill, so the expected values hold however slowly a loaded machine runs the test.
        try await Self.withGateway(Self.config(limit: "rate 2/m; burst 2;")) { upstream, gateway, group in
            let first = try await RateLimitHarness.get(port: gateway.port, group: group)
            #expect(first.status == 200)
            #expect(first.header("RateLimit-Policy") == #""lim";q=2;w=60"#)
            #expect(first.header("RateLimit") == #""lim";r=1;t=30"#)
            _ = try await RateLimitHarness.get(port: gateway.port, group: group)
            let limited = try await RateLimitHarness.get(port: gateway.port, group: group)
            #expect(limited.status == 429)
            // A loaded machine may let a few seconds pass between the requests; the refill shows it.
            #expect((25...30).contains(Int(limited.header("Retry-After") ?? "") ?? -1), "\(limited.header("Retry-After") ?? "none")")
            #expect(limited.header("RateLimit-Policy") == #""lim";q=2;w=60"#)
            #expect(["55", "56", "57", "58", "59", "60"].map { #""lim";r=0;t="# + $0 }.contains(limited.header("RateLimit") ?? ""))
            #expect(limited.header("Content-Type") == "application/json")
            #expect(limited.body.contains(#""code":"rate_limited""#))
            #expect(upstream.requestCount == 2)
        }
    }

    @Test func headersOffSendsNone() async throws {
        try await Self.withGateway(Self.config(limit: "rate 1/h; burst 1; headers off;")) { _, gateway, group in
            let first = try await RateLimitHarness.get(port: gateway.port, group: group)
            let second = try await RateLimitHarness.get(port: gateway.port, group: group)
            #expect([first.status, second.status] == [200, 429])
            #expect(first.header("RateLimit") == nil && second.header("RateLimit-Policy") == nil)
            #expect(second.header("Retry-After") != nil)
        }
    }

    @Test func costTakesSeveralTokens() async throws {
        try await Self.withGateway(Self.config(limit: "rate 1/h; burst 10;", route: "rate_limit lim cost=4;")) { upstream, gateway, group in
            let statuses = try await RateLimitHarness.statuses(3, port: gateway.port, group: group)
            #expect(statuses == [200, 200, 429])
            #expect(upstream.requestCount == 2)
        }
    }

    @Test func shadowModeNeverRefuses() async throws {
        try await Self.withGateway(Self.config(limit: "rate 1/h; burst 2; mode shadow;")) { upstream, gateway, group in
            let statuses = try await RateLimitHarness.statuses(5, port: gateway.port, group: group)
            #expect(statuses == [200, 200, 200, 200, 200])
            #expect(upstream.requestCount == 5)
        }
    }

    @Test func spoofedForwardingHeadersDoNotChangeTheBucket() async throws {
        try await Self.withGateway(Self.config(limit: "rate 1/h; burst 2;")) { _, gateway, group in
            var statuses: [Int] = []
            for spoof in ["X-Forwarded-For: 10.0.0.1\r\n", "X-Real-IP: 10.0.0.2\r\n", "Forwarded: for=10.0.0.3\r\n"] {
                statuses.append(try await RateLimitHarness.get(port: gateway.port, group: group, headers: spoof).status)
            }
            #expect(statuses == [200, 200, 429])
        }
    }

    @Test func headerKeysHaveTheirOwnBuckets() async throws {
        try await Self.withGateway(Self.config(limit: "rate 1/h; burst 1; key header:X-Api-Key;")) { _, gateway, group in
            let a = try await RateLimitHarness.statuses(2, port: gateway.port, group: group, headers: "X-Api-Key: a\r\n")
            let b = try await RateLimitHarness.statuses(2, port: gateway.port, group: group, headers: "X-Api-Key: b\r\n")
            // Without the header the client address is the key: a third bucket.
            let none = try await RateLimitHarness.statuses(2, port: gateway.port, group: group)
            #expect(a == [200, 429] && b == [200, 429] && none == [200, 429])
        }
    }

    @Test func eventLoopsShareOneBucketSpace() async throws {
        try await Self.withGateway(Self.config(limit: "rate 1/h; burst 10;", workers: 2)) { upstream, gateway, group in
            let statuses = try await RateLimitHarness.concurrentStatuses(40, port: gateway.port, group: group)
            #expect(statuses.filter { $0 == 200 }.count == 10)
            #expect(statuses.filter { $0 == 429 }.count == 30)
            #expect(upstream.requestCount == 10)
        }
    }

    @Test func bucketsSurviveAReloadWhenTheLimitIsUnchanged() async throws {
        let text = Self.config(limit: "rate 1/h; burst 2;")
        try await Self.withGateway(text) { upstream, gateway, group in
            let before = try await RateLimitHarness.statuses(3, port: gateway.port, group: group)
            #expect(before == [200, 200, 429])
            // The same limit at other lines of the file: its buckets stay.
            try await gateway.server.install(try RateLimitHarness.plan("# reloaded\n" + text, upstream: upstream.port))
            let reloaded = try await RateLimitHarness.statuses(1, port: gateway.port, group: group)
            #expect(reloaded == [429])
            // A changed burst is a new bucket space.
            try await gateway.server.install(try RateLimitHarness.plan(Self.config(limit: "rate 1/h; burst 3;"), upstream: upstream.port))
            let changed = try await RateLimitHarness.statuses(4, port: gateway.port, group: group)
            #expect(changed == [200, 200, 200, 429])
        }
    }
}
