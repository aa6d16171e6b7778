/// How a route's response cache served one request, for `gateway_cache_requests_total`.
public enum CacheResult: Int, Sendable, Hashable, CaseIterable {
    /// Answered from a fresh stored response (or 304 to the client's conditional).
    case hit
    /// Forwarded: nothing stored, or the stored response was replaced.
    case miss
    /// A stale stored response served because the upstream failed (`stale-if-error`).
    case stale
    /// A stale stored response the upstream confirmed with 304, served refreshed.
    case revalidated
    /// Not a cache lookup: other methods, `Range`, and unsafe methods (which invalidate).
    case bypass

    public var label: String {
        switch self {
        case .hit: "hit"
        case .miss: "miss"
        case .stale: "stale"
        case .revalidated: "revalidated"
        case .bypass: "bypass"
        }
    }
}
