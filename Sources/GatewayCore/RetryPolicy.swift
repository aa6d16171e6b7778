import NIOCore

/// How an upstream group retries a failed request on another server.
///
/// A request is tried at most `1 + retries` times, each time on a server not tried yet. Connect
/// failures send nothing, so they are retried for every request (bounded also by
/// `max_connect_attempts`) and do not use the budget. Any other retry re-sends the request, so it
/// is allowed only for idempotent methods whose body is empty or was kept whole (at most
/// ``replayableBodyLimit`` bytes), and only while the retry budget has room.
public struct RetryPolicy: Sendable, Hashable {
    public var retries: Int
    /// From the request's end being sent until the response head, per try; `nil` uses
    /// `first_byte_timeout` alone.
    public var perTryTimeout: TimeAmount?
    public var retryOn: Set<RetryCondition>
    /// At most this percentage of the requests in flight to the upstream (per event loop) may be
    /// retries at once …
    public var budgetPercent: Int
    /// … but this many are always allowed, so a quiet upstream can still retry.
    public var budgetMinimum: Int

    /// Request bodies up to this size are kept while being sent, so the request can be re-sent.
    public static let replayableBodyLimit = 64 * 1024

    public static let defaultRetryOn: Set<RetryCondition> = [.connectFailure, .reset]

    public init(
        retries: Int = 2,
        perTryTimeout: TimeAmount? = nil,
        retryOn: Set<RetryCondition> = RetryPolicy.defaultRetryOn,
        budgetPercent: Int = 20,
        budgetMinimum: Int = 3
    ) {
        self.retries = retries
        self.perTryTimeout = perTryTimeout
        self.retryOn = retryOn
        self.budgetPercent = budgetPercent
        self.budgetMinimum = budgetMinimum
    }

    /// RFC 9110 §9.2.2 idempotent methods (TRACE is refused before routing).
    public static func isIdempotent(_ method: String) -> Bool {
        switch method {
        case "GET", "HEAD", "OPTIONS", "PUT", "DELETE": return true
        default: return false
        }
    }
}
