import GatewayCore
import GatewayPolicies
import GatewayUpstream
import NIOCore

/// The buckets of one limit in Redis, shared by every gateway that uses the same Redis: one
/// `EVALSHA` of ``RateLimitScript`` per request, on the request's own event loop.
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
    private let fixedArguments: [String]

    init(spec: RateLimitSpec, clients: RedisClientGroup, fallback: LocalRateLimitStore?, errors: IntervalLogger) {
        self.spec = spec
        self.clients = clients
        self.fallback = fallback
        self.errors = errors
        self.fixedArguments = [String(spec.rate), String(spec.period.nanoseconds / 1000), String(spec.burst)]
    }

    func take(key: String, cost: Int, on eventLoop: any EventLoop) -> RateLimitStoreAnswer {
        guard let client = clients.client(on: eventLoop) else {
            return .decided(failed(key: key, cost: cost, reason: "no redis client on this event loop"))
        }
        let promise = eventLoop.makePromise(of: RateLimitOutcome.self)
        // One deadline for the whole exchange, a NOSCRIPT reload included: the client fails the
        // command with `.timeout` when it passes.
        let deadline = NIODeadline.now() + clients.configuration.timeout
        client.run(
            RateLimitScript.script, keys: [spec.redisKey(bucket: key)], arguments: fixedArguments + [String(cost)],
            deadline: deadline
        ).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let reply):
                promise.succeed(Self.outcome(reply) ?? self.failed(key: key, cost: cost, reason: "unexpected reply \(reply)"))
            case .failure(let error):
                promise.succeed(self.failed(key: key, cost: cost, reason: "\(error)"))
            }
        }
        return .pending(promise.futureResult)
    }

    /// The script's reply as an outcome; `nil` for anything else (an error reply included).
    static func outcome(_ reply: RedisValue) -> RateLimitOutcome? {
        guard case .array(let values) = reply, values.count == 4,
            let allowed = values[0].integer, let remaining = values[1].integer,
            let retry = values[2].integer, let reset = values[3].integer
        else { return nil }
        return RateLimitOutcome(
            allowed: allowed == 1, remaining: Int(remaining), retryAfterNanos: retry * 1000, resetNanos: reset * 1000, source: .store)
    }

    /// What `on_store_error` says when Redis did not decide.
    private func failed(key: String, cost: Int, reason: String) -> RateLimitOutcome {
        errors.warning(
            "rate limit store failed",
            metadata: ["rate_limit": "\(spec.name)", "on_store_error": "\(spec.onStoreError.rawValue)", "reason": "\(reason)"])
        if let fallback { return fallback.take(key: key, cost: cost) }
        return .failed(spec.onStoreError)
    }
}
