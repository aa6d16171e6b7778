import GatewayCore
import GatewayPolicies

extension PlanCompiler {
    /// The named limits of `rate_limit NAME { … }` blocks.
    mutating func compileRateLimits(_ directives: [Directive]) -> [String: RateLimitSpec] {
        var limits: [String: RateLimitSpec] = [:]
        var defined: [String: SourceLocation] = [:]
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
            if let mode = first("mode", in: block).flatMap({ value($0, 0) { RateLimitMode(rawValue: $0).map(Result.success) ?? .failure(ValueError("")) } }) {
                spec.mode = mode
            }
            if let headers = first("headers", in: block).flatMap({ value($0, 0, ValueParser.onOff) }) { spec.headers = headers }
            limits[name] = spec
        }
        return limits
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

    /// Warns about limits no route uses.
    mutating func warnUnused(_ limits: [String: RateLimitSpec], used: Set<String>) {
        for spec in limits.values.sorted(by: { $0.name < $1.name }) where !used.contains(spec.name) {
            warn(spec.location, "rate_limit", "rate limit '\(spec.name)' is not used by any route", hint: "remove it, or 'rate_limit \(spec.name);' in a route")
        }
    }
}
