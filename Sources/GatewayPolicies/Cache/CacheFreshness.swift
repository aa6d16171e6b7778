import NIOHTTP1

/// Freshness and age of a stored response (RFC 9111 §4.2), from its headers and the times the
/// gateway sent the request and received the response. Pure: every time is a parameter, in
/// whole seconds since 1970.
public struct CacheFreshness: Sendable, Hashable {
    /// How long the response is fresh from its generation, in seconds; `nil` when it carries no
    /// freshness information and no heuristic or default applies (it may then only be served
    /// after revalidation).
    public var lifetime: Int64?
    /// The age the response had when it arrived (§4.2.3's corrected_initial_age).
    public var initialAge: Int64
    public var responseTime: Int64
    public var control: CacheControl

    /// Fraction of `Date - Last-Modified` used as heuristic lifetime (§4.2.2 suggests 10%).
    public static let heuristicFraction: Int64 = 10
    /// Status codes heuristically cacheable (RFC 9110 §15.1).
    public static let heuristicStatuses: Set<UInt> = [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]

    /// - Parameter defaultTTL: the route's `default_ttl`, used only when the response states no
    ///   freshness of its own and a heuristic would otherwise apply.
    public init(status: UInt, headers: HTTPHeaders, requestTime: Int64, responseTime: Int64, defaultTTL: Int64? = nil) {
        let control = CacheControl(headers)
        self.control = control
        self.responseTime = responseTime
        let date = headers.first(name: "date").flatMap(HTTPDate.parse) ?? responseTime
        // §4.2.3
        let ageValue = headers.first(name: "age").flatMap { CacheControl.deltaSeconds(Substring($0)) }.map(Int64.init) ?? 0
        let apparentAge = max(0, responseTime - date)
        let responseDelay = max(0, responseTime - requestTime)
        initialAge = max(apparentAge, ageValue + responseDelay)
        // §4.2.1: s-maxage, then max-age, then Expires - Date.
        if let shared = control.sharedMaxAge {
            lifetime = Int64(shared)
        } else if let maxAge = control.maxAge {
            lifetime = Int64(maxAge)
        } else if let expires = headers.first(name: "expires") {
            // An invalid Expires (e.g. "0") means already expired (§5.3).
            lifetime = HTTPDate.parse(expires).map { max(0, $0 - date) } ?? 0
        } else if control.isPublic || Self.heuristicStatuses.contains(status) {
            // §4.2.2: heuristics only without explicit freshness, for heuristically cacheable
            // statuses or responses marked public.
            if let defaultTTL {
                lifetime = defaultTTL
            } else if let modified = headers.first(name: "last-modified").flatMap(HTTPDate.parse), modified < date {
                lifetime = (date - modified) / Self.heuristicFraction
            } else {
                lifetime = nil
            }
        } else {
            lifetime = nil
        }
    }

    /// The response's current age at `now` (§4.2.3).
    public func age(at now: Int64) -> Int64 {
        initialAge + max(0, now - responseTime)
    }

    /// Seconds of freshness left at `now`; negative when stale by that much.
    public func remaining(at now: Int64) -> Int64 {
        (lifetime ?? 0) - age(at: now)
    }

    public func isFresh(at now: Int64) -> Bool {
        lifetime != nil && remaining(at: now) > 0
    }

    /// Whether a shared cache may serve the response stale at all (§4.2.4): never with
    /// `must-revalidate`, `proxy-revalidate` or `s-maxage`.
    public var mayServeStale: Bool {
        !control.mustRevalidate && !control.proxyRevalidate && control.sharedMaxAge == nil
    }

    /// Whether `stale-while-revalidate` (RFC 5861) covers serving it at `now` while refreshing.
    public func withinStaleWhileRevalidate(at now: Int64) -> Bool {
        guard mayServeStale, let window = control.staleWhileRevalidate else { return false }
        return -remaining(at: now) < Int64(window)
    }

    /// Whether `stale-if-error` (RFC 5861) covers serving it at `now` because the upstream failed.
    public func withinStaleIfError(at now: Int64) -> Bool {
        guard mayServeStale, let window = control.staleIfError else { return false }
        return -remaining(at: now) < Int64(window)
    }
}
