import GatewayCore
import GatewayServer
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// Rate limits with `store redis` against a real `redis-server` the tests start: exact limits,
/// a budget shared by two gateways, NOSCRIPT after `SCRIPT FLUSH`, each `on_store_error` when
/// Redis is killed or frozen (answered within the timeout), and recovery when Redis is back.
@Suite("Rate limits, Redis store", .serialized) struct RedisRateLimitTests {
    static func config(limit: String, redis: String = "timeout 200ms;", workers: Int = 1) -> String {
        """
        worker_threads \(workers);
        access_log off;
        listen 127.0.0.1:0;
        upstream app { server 127.0.0.1:${UPSTREAM}; }
        redis ${REDIS} { \(redis) }
        rate_limit lim { store redis; \(limit) }
        route /* { proxy app; rate_limit lim; }
        """
    }

    /// Redis, an upstream and `gateways` gateways serving `text`; everything stopped afterwards.
    static func withRedis(
        _ text: String, gateways count: Int = 1,
        _ body: (TestRedis, TestUpstream, [TestGateway], MultiThreadedEventLoopGroup) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let redis = try await TestRedis(group: group)
        let upstream = try await TestUpstream(group: group)
        var gateways: [TestGateway] = []
        func stop() async throws {
            for gateway in gateways { await gateway.stop() }
            try await upstream.stop()
            redis.kill()
            try await group.shutdownGracefully()
        }
        do {
            let plan = try RateLimitHarness.plan(text, upstream: upstream.port, redis: redis.url)
            for _ in 0..<count { gateways.append(try await TestGateway(plan: plan)) }
            try await body(redis, upstream, gateways, group)
        } catch {
            try await stop()
            throw error
        }
        try await stop()
    }

    /// A request's status and how long it took.
    static func timedGet(port: Int, group: any EventLoopGroup) async throws -> (status: Int, seconds: Double) {
        let start = ContinuousClock.now
        let response = try await RateLimitHarness.get(port: port, group: group)
        let elapsed = ContinuousClock.now - start
        return (response.status, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test func exactlyBurstPassThroughRedis() async throws {
        try await Self.withRedis(Self.config(limit: "rate 1/h; burst 5; on_store_error closed;")) { redis, upstream, gateways, group in
            let port = gateways[0].port
            let first = try await RateLimitHarness.get(port: port, group: group)
            #expect(first.status == 200)
            // One token an hour: an empty bucket takes 5 h to fill, one taken token 1 h.
            #expect(first.header("RateLimit-Policy") == #""lim";q=5;w=18000"#)
            #expect(first.header("RateLimit") == #""lim";r=4;t=3600"#)
            let rest = try await RateLimitHarness.statuses(7, port: port, group: group)
            #expect(rest == [200, 200, 200, 200, 429, 429, 429])
            #expect(upstream.requestCount == 5)
            let limited = try await RateLimitHarness.get(port: port, group: group)
            // Whole seconds pass between the requests on a loaded machine: allow for a few.
            #expect(RateLimitHarness.seconds(limited.header("Retry-After"), within: 3570...3600))
            #expect(RateLimitHarness.seconds(limited.header("RateLimit"), after: #""lim";r=0;t="#, within: 17_970...18_000))
            // Namespaced and expiring.
            let key = "gateway:rl:lim:ip:127.0.0.1"
            #expect(try redis.cli("EXISTS", key) == "1")
            let ttl = Int(try redis.cli("PTTL", key)) ?? -1
            #expect(ttl > 17_970_000 && ttl <= 18_001_000, "PTTL \(ttl)")
        }
    }

    @Test func twoGatewaysShareOneBudget() async throws {
        // 40 requests at once on a loaded machine: a Redis timeout in seconds, so that a slow
        // answer is not taken for a store error (503).
        let text = Self.config(limit: "rate 1/h; burst 12; on_store_error closed;", redis: "timeout 3s;", workers: 2)
        try await Self.withRedis(text, gateways: 2) { _, upstream, gateways, group in
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { tasks in
                for gateway in gateways {
                    tasks.addTask { try await RateLimitHarness.concurrentStatuses(20, port: gateway.port, group: group) }
                }
                return try await tasks.reduce([], +)
            }
            #expect(statuses.filter { $0 == 200 }.count == 12)
            #expect(statuses.filter { $0 == 429 }.count == 28)
            #expect(upstream.requestCount == 12)
        }
    }

    @Test func scriptFlushIsReloadedAfterNoScript() async throws {
        try await Self.withRedis(Self.config(limit: "rate 1/h; burst 6; on_store_error closed;")) { redis, upstream, gateways, group in
            let port = gateways[0].port
            let before = try await RateLimitHarness.statuses(3, port: port, group: group)
            #expect(try redis.cli("SCRIPT", "FLUSH") == "OK")
            let after = try await RateLimitHarness.statuses(5, port: port, group: group)
            // No 503: the NOSCRIPT answer was handled, and the bucket went on where it was.
            #expect(before + after == [200, 200, 200, 200, 200, 200, 429, 429])
            #expect(upstream.requestCount == 6)
        }
    }

    struct FailureCase: Sendable, CustomStringConvertible {
        var action: String
        /// Statuses of five requests while Redis is down.
        var whileDown: [Int]
        var description: String { "on_store_error \(action)" }
    }

    static let failureCases = [
        FailureCase(action: "open", whileDown: [200, 200, 200, 200, 200]),
        FailureCase(action: "closed", whileDown: [503, 503, 503, 503, 503]),
        // burst 6 over 3 instances: 2 each, then limited.
        FailureCase(action: "local", whileDown: [200, 200, 429, 429, 429]),
    ]

    @Test(arguments: failureCases)
    func redisKilledThenRestarted(_ c: FailureCase) async throws {
        let text = Self.config(limit: "rate 1/h; burst 6; on_store_error \(c.action);", redis: "timeout 200ms; instances 3;")
        try await Self.withRedis(text) { redis, _, gateways, group in
            let port = gateways[0].port
            #expect(try await RateLimitHarness.get(port: port, group: group).status == 200)
            redis.kill()
            var whileDown: [Int] = []
            for _ in 0..<5 {
                let (status, seconds) = try await Self.timedGet(port: port, group: group)
                whileDown.append(status)
                #expect(seconds < 2, "a request waited \(seconds)s with Redis down")
            }
            #expect(whileDown == c.whileDown)
            // Back with an empty Redis: the gateway reconnects by itself (backoff at most 5 s)
            // and the Redis bucket decides again (a fresh bucket: 6 allowed, the 7th limited).
            try await redis.start()
            var recovered = false
            for _ in 0..<150 where !recovered {
                let response = try await RateLimitHarness.get(port: port, group: group)
                if try redis.cli("EXISTS", "gateway:rl:lim:ip:127.0.0.1") == "1" {
                    recovered = response.status == 200
                } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(recovered, "the gateway did not use Redis again within 15 s")
            let remaining = Int(try redis.cli("HGET", "gateway:rl:lim:ip:127.0.0.1", "tokens").split(separator: ".").first ?? "") ?? -1
            #expect(remaining == 5)
        }
    }

    @Test func frozenRedisIsAnsweredWithinTheTimeout() async throws {
        let text = Self.config(limit: "rate 1/h; burst 5; on_store_error closed;", redis: "timeout 150ms;")
        try await Self.withRedis(text) { redis, upstream, gateways, group in
            let port = gateways[0].port
            #expect(try await RateLimitHarness.get(port: port, group: group).status == 200)
            redis.pause()
            defer { redis.resume() }
            for _ in 0..<3 {
                let (status, seconds) = try await Self.timedGet(port: port, group: group)
                #expect(status == 503)
                #expect(seconds >= 0.14 && seconds < 1.5, "answered after \(seconds)s")
            }
            #expect(upstream.requestCount == 1)
        }
    }

    /// Many commands waiting on one frozen Redis at once: each request is answered within the
    /// timeout (one deadline task serves them all), and the client works again after Redis
    /// resumes, its replies still matched to the right commands.
    @Test func concurrentRequestsToAFrozenRedisAreEachAnsweredInTime() async throws {
        let text = Self.config(limit: "rate 1/h; burst 1000; on_store_error closed;", redis: "timeout 200ms;")
        try await Self.withRedis(text) { redis, upstream, gateways, group in
            let port = gateways[0].port
            #expect(try await RateLimitHarness.get(port: port, group: group).status == 200)
            redis.pause()
            let answers = try await withThrowingTaskGroup(of: (status: Int, seconds: Double).self) { tasks in
                for _ in 0..<24 { tasks.addTask { try await Self.timedGet(port: port, group: group) } }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            redis.resume()
            #expect(answers.count == 24)
            for answer in answers {
                #expect(answer.status == 503)
                #expect(answer.seconds >= 0.19 && answer.seconds < 2, "answered after \(answer.seconds)s")
            }
            // After the stale replies drain, the limit answers from Redis again.
            var status = 0
            for _ in 0..<50 where status != 200 {
                status = try await RateLimitHarness.get(port: port, group: group).status
            }
            #expect(status == 200)
            let policy = try await RateLimitHarness.get(port: port, group: group)
            #expect(policy.status == 200)
            #expect(policy.header("RateLimit")?.hasPrefix(#""lim";r="#) == true)
        }
    }
}
