import GatewayUpstream

/// The one atomic Redis script behind `store redis`: for each bucket it is given, in order,
/// refill it by Redis' own clock (`TIME`, so gateway clocks never matter), take the cost if the
/// tokens are there, and store it with an expiry of its refill time plus a second. One call
/// answers every request of a batch in one round trip.
///
/// KEYS[i] the bucket of request i (`gateway:rl:LIMIT:KEY`; a key may repeat, and a repeat sees
/// what the requests before it took); ARGV rate, period in microseconds, burst, then the cost of
/// each request. Returns, per request, `allowed 0|1, whole tokens left, µs until the cost is
/// available, µs until full`. Redis 7 replicates script effects, so `TIME` before a write is
/// allowed.
enum RateLimitScript {
    static let script = RedisScript(
        """
        local rate = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local burst = tonumber(ARGV[3])
        local per_us = rate / period
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local out = {}
        for i, key in ipairs(KEYS) do
          local cost = tonumber(ARGV[3 + i])
          local state = redis.call('HMGET', key, 'tokens', 'ts')
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
          redis.call('HSET', key, 'tokens', string.format('%.17g', tokens), 'ts', string.format('%d', ts))
          redis.call('PEXPIRE', key, math.ceil(full_us / 1000) + 1000)
          local n = #out
          out[n + 1] = allowed
          out[n + 2] = math.floor(tokens + 1e-9)
          out[n + 3] = retry_us
          out[n + 4] = full_us
        end
        return out
        """)
}
