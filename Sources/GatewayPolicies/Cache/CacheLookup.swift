import GatewayCore

/// What a route's ``CachePolicy`` found for a request, handed from its lookup to its store step
/// through ``RequestContext/cache``.
public struct CacheLookup: CacheRequestState {
    public enum Mode: Sendable, Equatable {
        /// A GET or HEAD that may be answered from or stored into the cache.
        case lookup
        /// Already answered from the cache (hit, or 304 to a client's conditional).
        case answered
        /// An unsafe method: a success invalidates the target URI and its Location.
        case invalidate
        /// Not handled by the cache (other methods, `Range`); `fwd` says why.
        case bypass
    }

    public var mode: Mode
    public var key: CacheKey
    /// The RFC 9211 `fwd` value: `uri-miss`, `vary-miss`, `stale`, `request`, `method`, `bypass`.
    public var forward: String
    public var requestTime: Int64
    /// The stored response being revalidated (and served on `stale-if-error`).
    public var stale: CachedResponse?
    /// This request fills the key for coalesced followers, and must end the fill.
    public var leader = false
    /// Answered stale under `stale-while-revalidate`, and this request leads the key's refresh:
    /// the server sends ``backgroundRevalidation(of:)`` upstream after the answer.
    public var refreshesInBackground = false
    /// This is that background refresh (its outcome is counted, its response never sent).
    public var isBackground = false

    public init(mode: Mode, key: CacheKey, forward: String, requestTime: Int64, stale: CachedResponse? = nil) {
        self.mode = mode
        self.key = key
        self.forward = forward
        self.requestTime = requestTime
        self.stale = stale
    }
}

extension CacheLookup {
    /// The refresh of a stale entry answered under `stale-while-revalidate`: the client's request
    /// with the entry's validators in place of the client's conditionals, leading the key's fill,
    /// so that its response goes through the cache's store step like any revalidation.
    public func backgroundRevalidation(of request: RequestContext) -> RequestContext? {
        guard refreshesInBackground, let stale else { return nil }
        var refresh = request
        CacheConditional.revalidate(stale, headers: &refresh.upstreamHeaders)
        var lookup = CacheLookup(mode: .lookup, key: key, forward: "stale", requestTime: requestTime, stale: stale)
        lookup.leader = true
        lookup.isBackground = true
        refresh.cache = lookup
        return refresh
    }
}
