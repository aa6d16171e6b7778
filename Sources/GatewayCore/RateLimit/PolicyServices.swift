/// What IO modules lend to policies for the plan a request runs under: the ports of DESIGN.md
/// implemented by the server (for now the rate-limit stores, by limit name).
///
/// Built once per installed plan, off the event loops, and immutable, so a request reads it
/// without a lock; requests in flight keep the services of the plan they started with.
public final class PolicyServices: Sendable {
    public let rateLimitStores: [String: any RateLimitStore]

    public init(rateLimitStores: [String: any RateLimitStore] = [:]) {
        self.rateLimitStores = rateLimitStores
    }

    /// No services (plans without rate limits; `gateway explain`, which evaluates no policy). A
    /// rate limit that finds no store refuses the request as an internal error.
    public static let none = PolicyServices()
}
