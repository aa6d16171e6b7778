import NIOHTTP1

/// Whether a shared cache may store a response (RFC 9111 §3), with the reason when it may not,
/// for `Cache-Status: …; detail=` (RFC 9211).
public enum CacheStorability: Sendable, Hashable {
    case storable
    case notStorable(String)

    /// Status codes a cache understands and may store (final, and defined by RFC 9110).
    public static let understoodStatuses: Set<UInt> = [200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501]

    /// - Parameters:
    ///   - hasDefaultTTL: the route opted in to a default lifetime for responses without one.
    ///   - storeSetCookie: the route allows storing responses with `Set-Cookie`.
    public static func evaluate(
        method: HTTPMethod, requestHeaders: HTTPHeaders, status: UInt, responseHeaders: HTTPHeaders,
        hasDefaultTTL: Bool = false, storeSetCookie: Bool = false
    ) -> CacheStorability {
        guard method == .GET else { return .notStorable("method") }
        guard understoodStatuses.contains(status) else { return .notStorable("status") }
        let request = CacheControl(requestHeaders)
        let response = CacheControl(responseHeaders)
        if request.noStore || response.noStore { return .notStorable("no-store") }
        if response.isPrivate { return .notStorable("private") }
        if responseHeaders[canonicalForm: "vary"].contains("*") { return .notStorable("vary-star") }
        // §3.5: a response to an authenticated request only with explicit permission.
        if requestHeaders.contains(name: "authorization"), !(response.isPublic || response.sharedMaxAge != nil || response.mustRevalidate) {
            return .notStorable("authorization")
        }
        if !storeSetCookie, responseHeaders.contains(name: "set-cookie") { return .notStorable("set-cookie") }
        // §3: something must make it reusable: explicit freshness, public, a heuristically
        // cacheable status (with a validator or a default TTL to work from), or no-cache with a
        // validator (stored, revalidated on every use).
        let explicit = response.maxAge != nil || response.sharedMaxAge != nil || responseHeaders.contains(name: "expires") || response.isPublic
        let validator = responseHeaders.contains(name: "etag") || responseHeaders.contains(name: "last-modified")
        if explicit || (CacheFreshness.heuristicStatuses.contains(status) && (validator || hasDefaultTTL)) || (response.noCache && validator) {
            return .storable
        }
        return .notStorable("no-freshness")
    }
}
