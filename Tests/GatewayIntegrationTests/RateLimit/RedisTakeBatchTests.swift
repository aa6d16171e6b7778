import GatewayCore
@testable import GatewayServer
import GatewayTestSupport
import GatewayUpstream
import Logging
import NIOCore
import NIOPosix
import Testing

/// The takes one event loop makes in one pass go to a real `redis-server` as one script call,
/// and each request still gets the answer it would have got alone, in arrival order.
@Suite("Rate limits, Redis batches", .serialized) struct RedisTakeBatchTests {
    /// A store of `spec` on a one-loop group with its Redis client; all stopped afterwards.
    static func withStore(
        _ spec: RateLimitSpec, _ body: (RedisRateLimitStore, any EventLoop, TestRedis) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let redis = try await TestRedis(group: group)
        let configuration = RedisClientConfiguration(
            address: try SocketAddress(ipAddress: "127.0.0.1", port: redis.port), timeout: .seconds(3))
        let clients = try await RedisClientGroup.start(on: group, configuration: configuration) { _ in }
        let store = RedisRateLimitStore(
            spec: spec, clients: clients, fallback: nil, errors: IntervalLogger(logger: Logger(label: "test")))
        do {
            try await body(store, group.next(), redis)
        } catch {
            await clients.close()
            redis.kill()
            try await group.shutdownGracefully()
            throw error
        }
        await clients.close()
        redis.kill()
        try await group.shutdownGracefully()
    }

    /// Takes `costs` from the buckets `keys` names, all in one pass of the loop.
    static func takeInOnePass(_ store: RedisRateLimitStore, on loop: any EventLoop, keys: [String], costs: [Int]) async throws
        -> [RateLimitOutcome]
    {
        let futures = try await loop.submit {
            zip(keys, costs).map { key, cost -> EventLoopFuture<RateLimitOutcome> in
                switch store.take(key: key, cost: cost, on: loop) {
                case .decided(let outcome): loop.makeSucceededFuture(outcome)
                case .pending(let future): future
                }
            }
        }.get()
        var outcomes: [RateLimitOutcome] = []
        for future in futures { outcomes.append(try await future.get()) }
        return outcomes
    }

    /// Script runs Redis counted so far (`EVALSHA`, and `EVAL` before the hash was known).
    static func scriptCalls(_ redis: TestRedis) throws -> Int {
        let stats = try redis.cli("INFO", "commandstats")
        var calls = 0
        for line in stats.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_evalsha:") || line.hasPrefix("cmdstat_eval:") {
            guard let field = line.split(separator: ",").first, let value = field.split(separator: "=").last, let n = Int(value) else {
                continue
            }
            calls += n
        }
        return calls
    }

    @Test func onePassIsOneScriptCallWithAnExactAnswerPerRequest() async throws {
        let spec = RateLimitSpec(name: "lim", rate: 1, per: .seconds(3600), burst: 6, store: .redis, onStoreError: .closed)
        try await Self.withStore(spec) { store, loop, redis in
            let outcomes = try await Self.takeInOnePass(store, on: loop, keys: Array(repeating: "k", count: 10), costs: Array(repeating: 1, count: 10))
            #expect(outcomes.map(\.allowed) == Array(repeating: true, count: 6) + Array(repeating: false, count: 4))
            #expect(outcomes.map(\.remaining) == [5, 4, 3, 2, 1, 0, 0, 0, 0, 0])
            #expect(outcomes.allSatisfy { $0.source == .store })
            #expect(outcomes[6...].allSatisfy { $0.retryAfterNanos > 3_590_000_000_000 && $0.retryAfterNanos <= 3_600_000_000_000 })
            #expect(try Self.scriptCalls(redis) == 1)
        }
    }

    @Test func bucketsAndCostsStaySeparateWithinOneCall() async throws {
        let spec = RateLimitSpec(name: "lim", rate: 1, per: .seconds(3600), burst: 5, store: .redis, onStoreError: .closed)
        try await Self.withStore(spec) { store, loop, redis in
            let outcomes = try await Self.takeInOnePass(store, on: loop, keys: ["a", "b", "a", "b", "a"], costs: [3, 1, 3, 4, 2])
            #expect(outcomes.map(\.allowed) == [true, true, false, true, true])
            #expect(outcomes.map(\.remaining) == [2, 4, 2, 0, 0])
            #expect(try redis.cli("HGET", "gateway:rl:lim:a", "tokens").hasPrefix("0"))
            #expect(try Self.scriptCalls(redis) == 1)
        }
    }

    @Test func aFullBatchIsSentWithoutWaitingForTheEndOfThePass() async throws {
        let spec = RateLimitSpec(name: "lim", rate: 1, per: .seconds(3600), burst: 1000, store: .redis, onStoreError: .closed)
        try await Self.withStore(spec) { store, loop, redis in
            let count = RedisTakeBatch.maximumCount * 2 + 1
            let outcomes = try await Self.takeInOnePass(
                store, on: loop, keys: Array(repeating: "k", count: count), costs: Array(repeating: 1, count: count))
            #expect(outcomes.map(\.remaining) == Array((1000 - count)..<1000).reversed())
            #expect(try Self.scriptCalls(redis) == 3)
        }
    }
}
