/// Bounds retries to a share of the requests in flight, so retrying cannot multiply the load on
/// an upstream that is already failing.
///
/// Pure and not Sendable: one per (upstream, event loop), next to the pool.
public struct RetryBudget {
    public let percent: Int
    public let minimum: Int
    /// Requests in flight to the upstream on this loop (each counted once, however often tried).
    public private(set) var requests = 0
    /// Of those, how many are on a retry now.
    public private(set) var retries = 0

    public init(percent: Int, minimum: Int) {
        self.percent = percent
        self.minimum = minimum
    }

    /// Retries allowed at once with the current load.
    public var limit: Int { max(minimum, requests * percent / 100) }

    public mutating func requestStarted() { requests += 1 }
    public mutating func requestFinished() { requests = max(0, requests - 1) }

    /// Takes a retry if the budget has room; a taken retry is given back with ``retryFinished()``.
    public mutating func acquireRetry() -> Bool {
        guard retries < limit else { return false }
        retries += 1
        return true
    }

    public mutating func retryFinished() { retries = max(0, retries - 1) }
}
