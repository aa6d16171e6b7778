import GatewayCore
import GatewayPolicies
import GatewayUpstream
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The rate-limit stores of the running gateway, held outside any plan so that buckets and Redis
/// connections survive a reload when their spec is unchanged.
///
/// Local buckets are keyed by their bucket space (limit name, key kind, rate and burst): a
/// reload that changes only a limit's mode, headers or location keeps them; one that changes
/// its rate starts it afresh. Redis connections are keyed by the ``RedisSpec``. Touched only when
/// a plan is installed, never per request.
final class RateLimitRegistry: Sendable {
    /// What makes two limits' buckets interchangeable.
    struct BucketSpace: Hashable {
        var name: String
        var key: RateLimitKey
        var parameters: TokenBucket.Parameters
        var source: RateLimitOutcome.Source
    }

    private struct State {
        var local: [BucketSpace: LocalRateLimitStore] = [:]
        var redis: [RedisSpec: RedisClientGroup] = [:]
        var redisHealth: [RedisSpec: RedisHealth] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let group: any EventLoopGroup
    private let logger: Logger
    private let storeErrors: IntervalLogger

    init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
        self.storeErrors = IntervalLogger(logger: logger)
    }

    /// The services for `plan`: one store per named limit, reused where unchanged. Stores and
    /// Redis connections the plan no longer uses are dropped (connections closed). Resolving the
    /// Redis host may block: call it off the event loops.
    func services(for plan: GatewayPlan) async throws -> PolicyServices {
        let redisClients = try await redisGroup(for: plan)
        let (services, unused) = state.withLockedValue { state in
            var kept: [BucketSpace: LocalRateLimitStore] = [:]
            func local(_ spec: RateLimitSpec, instances: Int, source: RateLimitOutcome.Source) -> LocalRateLimitStore {
                let space = BucketSpace(
                    name: spec.name, key: spec.key, parameters: TokenBucket.Parameters(spec, dividedBy: instances), source: source)
                let store = kept[space] ?? state.local[space] ?? LocalRateLimitStore(parameters: space.parameters, source: source)
                kept[space] = store
                return store
            }
            var byName: [String: any RateLimitStore] = [:]
            for spec in plan.rateLimits.values {
                switch (spec.store, redisClients, plan.redis) {
                case (.redis, let clients?, let redis?):
                    let fallback = spec.onStoreError == .local ? local(spec, instances: redis.instances ?? 1, source: .localFallback) : nil
                    byName[spec.name] = RedisRateLimitStore(spec: spec, clients: clients, fallback: fallback, errors: storeErrors)
                default:
                    byName[spec.name] = local(spec, instances: 1, source: .store)
                }
            }
            state.local = kept
            var unused: [RedisClientGroup] = []
            for (spec, clients) in state.redis where spec != plan.redis {
                unused.append(clients)
                state.redis[spec] = nil
                state.redisHealth[spec] = nil
            }
            return (PolicyServices(rateLimitStores: byName), unused)
        }
        for clients in unused { await clients.close() }
        return services
    }

    /// The Redis clients of the plan's `redis`, started on first use; `nil` when no limit uses it.
    private func redisGroup(for plan: GatewayPlan) async throws -> RedisClientGroup? {
        guard let redis = plan.redis, plan.rateLimits.values.contains(where: { $0.store == .redis }) else { return nil }
        if let existing = state.withLockedValue({ $0.redis[redis] }) { return existing }
        let address = try Self.resolve(redis)
        let logger = self.logger
        let connectionErrors = IntervalLogger(logger: logger)
        let description = redis.description
        let health = RedisHealth()
        let clients = try await RedisClientGroup.start(
            on: group,
            configuration: RedisClientConfiguration(
                address: address, password: redis.password, database: redis.database, timeout: redis.timeout, poolSize: redis.pool),
            onConnectionChange: { change in
                health.record(change)
                if change.up {
                    logger.info("redis connected", metadata: ["redis": "\(description)"])
                } else {
                    connectionErrors.warning("redis connection down", metadata: ["redis": "\(description)", "reason": "\(change.reason)"])
                }
            })
        state.withLockedValue { state in
            state.redis[redis] = clients
            state.redisHealth[redis] = health
        }
        return clients
    }

    private static func resolve(_ redis: RedisSpec) throws -> SocketAddress {
        if IPAddress(redis.host) != nil { return try SocketAddress(ipAddress: redis.host, port: redis.port) }
        return try SocketAddress.makeAddressResolvingHost(redis.host, port: redis.port)
    }

    /// The health of the Redis store `spec`, while a plan's limits use it.
    func health(of spec: RedisSpec) -> RedisHealth.Snapshot? {
        state.withLockedValue { $0.redisHealth[spec] }?.snapshot
    }

    /// Closes every Redis connection.
    func close() async {
        let groups = state.withLockedValue { state in
            defer {
                state.redis = [:]
                state.redisHealth = [:]
            }
            return Array(state.redis.values)
        }
        for clients in groups { await clients.close() }
    }
}
