import GatewayUpstream

/// The one atomic Redis script behind `store redis`: refill the bucket by Redis' own clock
/// (`TIME`, so gateway clocks never matter), take the cost if the tokens are there, store the
/// bucket with an expiry of its refill time plus a second, and answer in one round trip.
///
/// KEYS[1] the bucket (`gateway:rl:LIMIT:KEY`); ARGV rate, period in microseconds, burst, cost.
/// Returns `{allowed 0|1, whole tokens left, µs until the cost is available, µs until full}`.
/// Redis 7 replicates script effects, so `TIME` before a write is allowed.
enum RateLimitScript {
    static let script = RedisScript(
        """
        local rate = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local burst = tonumber(ARGV[3])
        local cost = tonumber(ARGV[4])
        local per_us = rate / period
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
        local tokens = tonumber(state[1])
        local ts = tonumber(state[2])
        if tokens == nil or ts == nil then
          tokens = burst
          ts = now
        end
        if now > ts then
          tokens = math.min(burst, tokens + (now - ts) * per_us)
          ts = now
        end
        local allowed = 0
        if tokens + 1e-9 >= cost then
          tokens = math.max(0, tokens - cost)
          allowed = 1
        end
        local full_us = math.max(0, math.ceil((burst - tokens - 1e-9) / per_us))
        local retry_us = 0
        if allowed == 0 then
          retry_us = math.ceil((cost - tokens) / per_us)
        end
        redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%d', ts))
        redis.call('PEXPIRE', KEYS[1], math.ceil(full_us / 1000) + 1000)
        return {allowed, math.floor(tokens + 1e-9), retry_us, full_us}
        """)
}
