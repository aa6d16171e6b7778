import GatewayCore
import GatewayPolicies
import GatewayUpstream
import NIOCore

/// The buckets of one limit in Redis, shared by every gateway that uses the same Redis.
///
/// The requests an event loop reads in one pass are answered by one `EVALSHA` of
/// ``RateLimitScript`` (see ``RedisTakeBatch``): Redis runs the script once per loop iteration
/// instead of once per request, and each request still gets the exact answer it would have got
/// alone, in arrival order.
///
/// No request waits longer than the Redis `timeout` because of it: when the script has not
/// answered by then (or Redis is down, or answers an error), the limit's `on_store_error`
/// decides — let through, 503, or the local fallback bucket holding the limit divided by the
/// Redis `instances`. Failures are logged at most once per interval.
final class RedisRateLimitStore: RateLimitStore {
    let spec: RateLimitSpec
    let clients: RedisClientGroup
    /// The `on_store_error local` bucket; `nil` for `open` and `closed`.
    let fallback: LocalRateLimitStore?
    private let errors: IntervalLogger
    /// The batch of each event loop, made there on first use. The map itself never changes.
    private let batches: [ObjectIdentifier: NIOLoopBoundBox<RedisTakeBatch?>]

    init(spec: RateLimitSpec, clients: RedisClientGroup, fallback: LocalRateLimitStore?, errors: IntervalLogger) {
        self.spec = spec
        self.clients = clients
        self.fallback = fallback
        self.errors = errors
        var batches: [ObjectIdentifier: NIOLoopBoundBox<RedisTakeBatch?>] = [:]
        for loop in clients.eventLoops {
            batches[ObjectIdentifier(loop)] = NIOLoopBoundBox.makeEmptyBox(valueType: RedisTakeBatch.self, eventLoop: loop)
        }
        self.batches = batches
    }

    func take(key: String, cost: Int, on eventLoop: any EventLoop) -> RateLimitStoreAnswer {
        guard let box = batches[ObjectIdentifier(eventLoop)], let client = clients.client(on: eventLoop) else {
            return .decided(failed(key: key, cost: cost, reason: "no redis client on this event loop"))
        }
        let batch: RedisTakeBatch
        if let existing = box.value {
            batch = existing
        } else {
            batch = RedisTakeBatch(client: client, spec: spec)
            box.value = batch
        }
        let promise = eventLoop.makePromise(of: RateLimitOutcome.self)
        batch.add(RedisTakeBatch.Item(bucket: spec.redisKey(bucket: key), key: key, cost: cost, promise: promise, store: self))
        return .pending(promise.futureResult)
    }

    /// What `on_store_error` says when Redis did not decide.
    func failed(key: String, cost: Int, reason: String) -> RateLimitOutcome {
        errors.warning(
            "rate limit store failed",
            metadata: ["rate_limit": "\(spec.name)", "on_store_error": "\(spec.onStoreError.rawValue)", "reason": "\(reason)"])
        if let fallback { return fallback.take(key: key, cost: cost) }
        return .failed(spec.onStoreError)
    }
}

/// The takes of one limit waiting on one event loop, sent as one script call when the loop has
/// handled what it read (or at once when ``maximumCount`` are waiting).
///
/// Not Sendable: it lives on its client's event loop.
final class RedisTakeBatch {
    struct Item {
        var bucket: String
        var key: String
        var cost: Int
        var promise: EventLoopPromise<RateLimitOutcome>
        var store: RedisRateLimitStore
    }

    /// Bounds one script run (Redis runs nothing else meanwhile) and the size of its reply.
    static let maximumCount = 128

    private let client: RedisClient
    private let fixedArguments: [String]
    private var items: [Item] = []
    /// When the oldest waiting item was added plus the timeout: the deadline of the whole call,
    /// so no item waits longer than the timeout.
    private var deadline: NIODeadline?

    init(client: RedisClient, spec: RateLimitSpec) {
        self.client = client
        self.fixedArguments = [String(spec.rate), String(spec.period.nanoseconds / 1000), String(spec.burst)]
        items.reserveCapacity(Self.maximumCount)
    }

    func add(_ item: Item) {
        items.append(item)
        if items.count == 1 {
            deadline = .now() + client.configuration.timeout
            // Tasks run after the loop has handled every ready channel of this iteration.
            client.eventLoop.assumeIsolated().execute { self.send() }
        } else if items.count >= Self.maximumCount {
            send()
        }
    }

    private func send() {
        guard !items.isEmpty, let deadline else { return }
        let batch = items
        items.removeAll(keepingCapacity: true)
        self.deadline = nil
        var arguments = fixedArguments
        arguments.reserveCapacity(fixedArguments.count + batch.count)
        for item in batch { arguments.append(String(item.cost)) }
        client.run(RateLimitScript.script, keys: batch.map(\.bucket), arguments: arguments, deadline: deadline)
            .assumeIsolated().whenComplete { result in
                switch result {
                case .success(let reply):
                    guard let outcomes = Self.outcomes(reply, count: batch.count) else {
                        Self.fail(batch, reason: "unexpected reply \(reply)")
                        return
                    }
                    for (item, outcome) in zip(batch, outcomes) { item.promise.succeed(outcome) }
                case .failure(let error):
                    Self.fail(batch, reason: "\(error)")
                }
            }
    }

    private static func fail(_ batch: [Item], reason: String) {
        for item in batch { item.promise.succeed(item.store.failed(key: item.key, cost: item.cost, reason: reason)) }
    }

    /// The script's reply as `count` outcomes; `nil` for anything else (an error reply included).
    static func outcomes(_ reply: RedisValue, count: Int) -> [RateLimitOutcome]? {
        guard case .array(let values) = reply, values.count == 4 * count else { return nil }
        var outcomes: [RateLimitOutcome] = []
        outcomes.reserveCapacity(count)
        for base in stride(from: 0, to: values.count, by: 4) {
            guard let allowed = values[base].integer, let remaining = values[base + 1].integer,
                let retry = values[base + 2].integer, let reset = values[base + 3].integer
            else { return nil }
            outcomes.append(
                RateLimitOutcome(
                    allowed: allowed == 1, remaining: Int(remaining), retryAfterNanos: retry * 1000, resetNanos: reset * 1000,
                    source: .store))
        }
        return outcomes
    }
}

@available(*, unavailable)
extension RedisTakeBatch: Sendable {}
