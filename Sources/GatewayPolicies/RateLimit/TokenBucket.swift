import GatewayCore

/// The arithmetic of one token bucket: `burst` tokens at most, `rate` tokens per `period` added
/// continuously, a request passes when the bucket holds its cost and then takes it.
///
/// Pure: the caller passes the time (nanoseconds on any monotonic clock), so the same code serves
/// the local store, the Redis fallback and tests with a manual clock. A fresh bucket is full.
public struct TokenBucket: Sendable, Hashable {
    /// The fixed parameters of a bucket, derived once from a ``RateLimitSpec``.
    public struct Parameters: Sendable, Hashable {
        public let burst: Double
        /// Tokens added per nanosecond.
        public let tokensPerNanosecond: Double

        /// `rate` tokens per `periodNanos` nanoseconds, at most `burst` held.
        public init(rate: Int, periodNanos: Int64, burst: Int) {
            self.burst = Double(burst)
            self.tokensPerNanosecond = Double(rate) / Double(periodNanos)
        }

        /// The bucket of `spec`, or its share when `instances` gateways split it (rate and burst
        /// divided, the burst at least 1).
        public init(_ spec: RateLimitSpec, dividedBy instances: Int = 1) {
            let share = max(1, instances)
            self.init(rate: spec.rate, periodNanos: spec.period.nanoseconds * Int64(share), burst: max(1, spec.burst / share))
        }

        /// Nanoseconds an empty bucket needs to fill; a bucket idle that long equals a fresh one.
        public var fillNanos: Int64 { Self.nanos(forTokens: burst, at: tokensPerNanosecond) }

        static func nanos(forTokens tokens: Double, at rate: Double) -> Int64 {
            tokens <= 0 ? 0 : Int64((tokens / rate).rounded(.up))
        }
    }

    /// Tolerance for floating-point refill: a bucket that lacks less than this is taken as full
    /// enough, so a token due at an exact instant is there at that instant.
    static let epsilon = 1e-9

    public private(set) var tokens: Double
    /// When ``tokens`` was last brought up to date.
    public private(set) var updated: Int64

    /// A full bucket.
    public init(parameters: Parameters, now: Int64) {
        self.tokens = parameters.burst
        self.updated = now
    }

    /// Refills for the time passed since the last call, then takes `cost` tokens if there are
    /// that many. Time going backwards counts as no time passing.
    public mutating func take(cost: Int, now: Int64, parameters: Parameters) -> RateLimitOutcome {
        refill(now: now, parameters: parameters)
        let cost = Double(cost)
        let allowed = tokens + Self.epsilon >= cost
        if allowed { tokens = max(0, tokens - cost) }
        let rate = parameters.tokensPerNanosecond
        return RateLimitOutcome(
            allowed: allowed,
            remaining: Int((tokens + Self.epsilon).rounded(.down)),
            retryAfterNanos: allowed ? 0 : Parameters.nanos(forTokens: cost - tokens, at: rate),
            resetNanos: Parameters.nanos(forTokens: parameters.burst - tokens - Self.epsilon, at: rate)
        )
    }

    /// Whether the bucket is full at `now`, i.e. indistinguishable from a fresh one (and so may be
    /// forgotten).
    public func isFull(at now: Int64, parameters: Parameters) -> Bool {
        let elapsed = Double(max(0, now - updated))
        return tokens + elapsed * parameters.tokensPerNanosecond + Self.epsilon >= parameters.burst
    }

    private mutating func refill(now: Int64, parameters: Parameters) {
        guard now > updated else { return }
        let elapsed = Double(now - updated)
        tokens = min(parameters.burst, tokens + elapsed * parameters.tokensPerNanosecond)
        updated = now
    }
}
