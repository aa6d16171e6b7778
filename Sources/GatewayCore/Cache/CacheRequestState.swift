/// What a cache lookup learned about a request (a stale entry to revalidate, the key to store
/// under, how it was answered), carried in ``RequestContext/cache`` from the cache's request
/// policy to its response policy. The cache module defines the one conforming type.
public protocol CacheRequestState: Sendable {
    /// When the cache answered `request` with a stale entry under `stale-while-revalidate` and
    /// leads that key's refresh: the request the server sends upstream after the answer, in the
    /// background (its response goes through the route's response policies and is then
    /// dropped). `nil` for everything else.
    func backgroundRevalidation(of request: RequestContext) -> RequestContext?
}
