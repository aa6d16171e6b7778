import GatewayCore
import GatewayPolicies

extension PlanCompiler {
    /// The named limits of `rate_limit NAME { … }` blocks, checked against the plan's `redis`.
    mutating func compileRateLimits(_ directives: [Directive], redis: RedisSpec?) -> [String: RateLimitSpec] {
        var limits: [String: RateLimitSpec] = [:]
        var defined: [String: SourceLocation] = [:]
        let redisWritten = first("redis", in: directives) != nil
        for d in directives where d.name == "rate_limit" {
            guard let name = value(d, 0, ValueParser.name), let block = d.block else { continue }
            if let existing = defined[name] {
                error(
                    d.arguments[0].location, "rate_limit", "rate_limit '\(name)' is already defined at \(existing)",
                    hint: "rate limit names must be unique")
                continue
            }
            defined[name] = d.location
            guard let rateDirective = first("rate", in: block) else {
                error(d.location, "rate_limit", "rate_limit '\(name)' has no rate", hint: "add e.g. 'rate 100/s;'")
                continue
            }
            guard let (rate, period) = value(rateDirective, 0, ValueParser.rate) else { continue }
            var spec = RateLimitSpec(name: name, rate: rate, per: period, burst: rate, location: d.location)
            if let burst = first("burst", in: block).flatMap({ value($0, 0) { ValueParser.integer($0, in: 1...10_000_000) } }) {
                spec.burst = burst
            }
            if let key = first("key", in: block).flatMap({ value($0, 0, ValueParser.rateLimitKey) }) { spec.key = key }
            if let mode = mode(in: block) { spec.mode = mode }
            if let headers = first("headers", in: block).flatMap({ value($0, 0, ValueParser.onOff) }) { spec.headers = headers }
            compileStore(&spec, block: block, redis: redis, redisWritten: redisWritten)
            limits[name] = spec
        }
        return limits
    }

    /// `store` and `on_store_error`: Redis limits need a `redis` and say what happens when it
    /// fails (never an accident); `local` fallback needs the instance count to divide by.
    /// `redisWritten` without `redis`: the redis directive is there but invalid (reported already).
    private mutating func compileStore(_ spec: inout RateLimitSpec, block: [Directive], redis: RedisSpec?, redisWritten: Bool) {
        let storeDirective = first("store", in: block)
        if let store = storeDirective.flatMap({ value($0, 0) { RateLimitStoreKind(rawValue: $0).map(Result.success) ?? .failure(ValueError("")) } }) {
            spec.store = store
        }
        let errorDirective = first("on_store_error", in: block)
        if let action = errorDirective.flatMap({ value($0, 0) { RateLimitStoreErrorAction(rawValue: $0).map(Result.success) ?? .failure(ValueError("")) } }) {
            spec.onStoreError = action
        }
        switch spec.store {
        case .local:
            if let errorDirective {
                warn(errorDirective.location, "on_store_error", "'on_store_error' has no effect with the local store", hint: "it applies to 'store redis'")
            }
        case .redis:
            if redis == nil, !redisWritten, let storeDirective {
                error(storeDirective.location, "store", "rate limit '\(spec.name)' uses Redis but no 'redis' is configured", hint: "add 'redis redis://HOST:PORT/DB { … }' at the top level")
            }
            if errorDirective == nil, let storeDirective {
                error(
                    storeDirective.location, "store", "rate limit '\(spec.name)' uses Redis without 'on_store_error'",
                    hint: "say what happens when Redis fails: 'on_store_error open | closed | local;'")
            }
            if spec.onStoreError == .local, let redis, redis.instances == nil, let errorDirective {
                error(
                    errorDirective.location, "on_store_error", "'on_store_error local' needs the number of gateway instances",
                    hint: "add 'instances N;' to the redis block: the local fallback allows the limit divided by N")
            }
        }
    }

    /// The `redis URL { timeout; pool; password; instances; }` directive.
    mutating func compileRedis(_ directives: [Directive]) -> RedisSpec? {
        guard let d = first("redis", in: directives), let (host, port, database) = value(d, 0, ValueParser.redisURL) else { return nil }
        var spec = RedisSpec(host: host, port: port, database: database, location: d.location)
        let block = d.block ?? []
        if let v = first("timeout", in: block).flatMap({ value($0, 0) { ValueParser.duration($0) } }) { spec.timeout = v }
        if let v = first("pool", in: block).flatMap({ value($0, 0) { ValueParser.integer($0, in: 1...64) } }) { spec.pool = v }
        if let v = first("password", in: block)?.arguments.first?.text, !v.isEmpty { spec.password = v }
        if let instances = first("instances", in: block), let v = value(instances, 0, { ValueParser.integer($0, in: 1...10_000) }) {
            spec.instances = v
        }
        return spec
    }

    /// The route's `rate_limit NAME [cost=N];` lines as policies, in the order written.
    mutating func compileRateLimitPolicies(_ block: [Directive], limits: [String: RateLimitSpec], used: inout Set<String>) -> [RateLimitPolicy] {
        var policies: [RateLimitPolicy] = []
        var seen: [String: SourceLocation] = [:]
        for d in block where d.name == "rate_limit" {
            guard let name = value(d, 0, ValueParser.name) else { continue }
            used.insert(name)
            guard let spec = limits[name] else {
                let defined = limits.keys.sorted()
                let hint = defined.isEmpty
                    ? "no rate limit is defined; add 'rate_limit \(name) { rate 100/s; }' at the top level"
                    : Suggestion.hint(for: name, among: defined)
                error(d.arguments[0].location, "rate_limit", "unknown rate limit '\(name)'", hint: hint)
                continue
            }
            if let earlier = seen[name] {
                error(d.location, "rate_limit", "rate limit '\(name)' is already applied to this route at \(earlier)", hint: "apply each limit once; use cost=N to take more tokens")
                continue
            }
            seen[name] = d.location
            let cost = d.arguments.count > 1 ? value(d, 1, ValueParser.cost) : 1
            guard let cost else { continue }
            if cost > spec.burst {
                error(
                    d.arguments[1].location, "rate_limit", "cost \(cost) is more than the burst \(spec.burst) of rate limit '\(name)'",
                    hint: "no request could ever pass; lower the cost or raise the burst")
                continue
            }
            policies.append(RateLimitPolicy(spec: spec, cost: cost))
        }
        return policies
    }

    /// Warns about a `redis` no limit uses.
    mutating func warnUnused(_ redis: RedisSpec?, limits: [String: RateLimitSpec]) {
        guard let redis, !limits.values.contains(where: { $0.store == .redis }) else { return }
        warn(redis.location, "redis", "'redis' is not used by any rate limit", hint: "remove it, or 'store redis;' in a rate_limit")
    }

    /// Warns about limits no route uses.
    mutating func warnUnused(_ limits: [String: RateLimitSpec], used: Set<String>) {
        for spec in limits.values.sorted(by: { $0.name < $1.name }) where !used.contains(spec.name) {
            warn(spec.location, "rate_limit", "rate limit '\(spec.name)' is not used by any route", hint: "remove it, or 'rate_limit \(spec.name);' in a route")
        }
    }
}
