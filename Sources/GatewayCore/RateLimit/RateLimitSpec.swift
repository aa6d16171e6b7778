import NIOCore

/// One named rate limit of the plan (`rate_limit NAME { … }`): a token bucket per key, in one
/// bucket space no matter how many routes reference it.
///
/// Hashable without its source location, so that a reload keeps the buckets of a limit whose
/// spec is unchanged even when its lines moved in the file.
public struct RateLimitSpec: Sendable, Hashable {
    public var name: String
    /// Tokens added per ``period``, continuously (`rate 100/s`: 100 per second, one every 10 ms).
    public var rate: Int
    /// The period of ``rate``: one second, minute or hour.
    public var period: TimeAmount
    /// Bucket capacity: how many requests of cost 1 may pass at once.
    public var burst: Int
    public var key: RateLimitKey
    public var store: RateLimitStoreKind
    public var onStoreError: RateLimitStoreErrorAction
    public var mode: RateLimitMode
    /// Whether the routes using it send `RateLimit-Policy` and `RateLimit` headers.
    public var headers: Bool
    public var location: SourceLocation?

    public init(
        name: String,
        rate: Int,
        per period: TimeAmount = .seconds(1),
        burst: Int,
        key: RateLimitKey = .clientIP,
        store: RateLimitStoreKind = .local,
        onStoreError: RateLimitStoreErrorAction = .open,
        mode: RateLimitMode = .enforce,
        headers: Bool = true,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.rate = rate
        self.period = period
        self.burst = burst
        self.key = key
        self.store = store
        self.onStoreError = onStoreError
        self.mode = mode
        self.headers = headers
        self.location = location
    }

    public static func == (a: RateLimitSpec, b: RateLimitSpec) -> Bool {
        a.name == b.name && a.rate == b.rate && a.period == b.period && a.burst == b.burst && a.key == b.key
            && a.store == b.store && a.onStoreError == b.onStoreError && a.mode == b.mode && a.headers == b.headers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(rate)
        hasher.combine(period)
        hasher.combine(burst)
        hasher.combine(key)
        hasher.combine(store)
        hasher.combine(onStoreError)
        hasher.combine(mode)
        hasher.combine(headers)
    }

    /// The `w` of `RateLimit-Policy`: whole seconds for an empty bucket to fill again, at least 1.
    /// With `q` = ``burst`` it states both the burst and the sustained rate (`q/w`).
    public var windowSeconds: Int {
        let nanos = Int64(burst) * period.nanoseconds
        return max(1, Int((nanos / Int64(rate) + 999_999_999) / 1_000_000_000))
    }

    /// The Redis key of a bucket: `gateway:rl:LIMIT:KEY` (namespaced, and one key space per
    /// limit name, so two limits never share a bucket).
    public func redisKey(bucket: String) -> String {
        "gateway:rl:" + name + ":" + bucket
    }

    /// Tokens added per second.
    public var ratePerSecond: Double { Double(rate) * 1e9 / Double(period.nanoseconds) }

    /// The rate as written: `100/s`, `5/m`, `10/h`.
    public var rateText: String {
        let unit = switch period.nanoseconds {
        case 60_000_000_000: "m"
        case 3_600_000_000_000: "h"
        case 1_000_000_000: "s"
        default: "\(period.nanoseconds)ns"
        }
        return "\(rate)/\(unit)"
    }
}

/// Where the buckets of a limit live.
public enum RateLimitStoreKind: String, Sendable, Hashable {
    /// In this process, shared by every event loop.
    case local
    /// In the plan's Redis, shared by every gateway instance that uses it.
    case redis
}

/// What a request gets when the store cannot answer (error or timeout).
public enum RateLimitStoreErrorAction: String, Sendable, Hashable {
    /// Let the request through.
    case open
    /// Answer 503.
    case closed
    /// Decide with a local bucket holding the limit divided by the Redis `instances`.
    case local
}

/// Whether a limit rejects, or only reports what it would have rejected.
public typealias RateLimitMode = PolicyMode
