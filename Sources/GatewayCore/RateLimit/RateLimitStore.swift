import NIOCore

/// Port: where the buckets of one named limit live. Implemented by IO modules (memory shared by
/// the event loops, Redis shared by a fleet); the rate-limit policy only asks.
///
/// An implementation answers within its own time bound: a pending answer always completes, with
/// the limit's `on_store_error` outcome when the store could not decide in time.
public protocol RateLimitStore: Sendable {
    /// Takes `cost` tokens from the bucket `key` if it holds that many.
    func take(key: String, cost: Int, on eventLoop: any EventLoop) -> RateLimitStoreAnswer
}

/// A store's answer: decided at once (memory), or later on the request's event loop (Redis).
public enum RateLimitStoreAnswer: Sendable {
    case decided(RateLimitOutcome)
    case pending(EventLoopFuture<RateLimitOutcome>)
}

/// The result of taking tokens from a bucket.
public struct RateLimitOutcome: Sendable, Hashable {
    /// How the answer came about.
    public enum Source: String, Sendable, Hashable {
        /// The limit's own store decided.
        case store
        /// The store failed; a local bucket with the limit divided by the instance count decided.
        case localFallback
        /// The store failed and `on_store_error open` lets the request through.
        case failedOpen
        /// The store failed and `on_store_error closed` refuses the request.
        case failedClosed
    }

    public var allowed: Bool
    /// Whole tokens left after this request.
    public var remaining: Int
    /// Until the request's cost would be available; zero when allowed.
    public var retryAfterNanos: Int64
    /// Until the bucket is full again.
    public var resetNanos: Int64
    public var source: Source

    public init(allowed: Bool, remaining: Int, retryAfterNanos: Int64, resetNanos: Int64, source: Source = .store) {
        self.allowed = allowed
        self.remaining = remaining
        self.retryAfterNanos = retryAfterNanos
        self.resetNanos = resetNanos
        self.source = source
    }

    /// The outcome when the store failed and no bucket decided (`open` or `closed`).
    public static func failed(_ action: RateLimitStoreErrorAction) -> RateLimitOutcome {
        RateLimitOutcome(
            allowed: action != .closed, remaining: 0, retryAfterNanos: 0, resetNanos: 0,
            source: action == .closed ? .failedClosed : .failedOpen)
    }

    /// Whole seconds until the request's cost is available, at least 1 (`Retry-After`).
    public var retryAfterSeconds: Int { max(1, Self.seconds(roundingUp: retryAfterNanos)) }

    /// Whole seconds until the bucket is full again (the `t` of the `RateLimit` header).
    public var resetSeconds: Int { Self.seconds(roundingUp: resetNanos) }

    static func seconds(roundingUp nanos: Int64) -> Int {
        nanos <= 0 ? 0 : Int((nanos + 999_999_999) / 1_000_000_000)
    }
}
