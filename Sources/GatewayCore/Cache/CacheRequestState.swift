/// What a cache lookup learned about a request (a stale entry to revalidate, the key to store
/// under, how it was answered), carried in ``RequestContext/cache`` from the cache's request
/// policy to its response policy. The cache module defines the one conforming type.
public protocol CacheRequestState: Sendable {}
