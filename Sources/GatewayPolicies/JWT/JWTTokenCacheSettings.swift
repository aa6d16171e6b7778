/// `token_cache N | off` of one issuer: how many verified tokens each event loop keeps.
///
/// A reference type on purpose: its identity names the issuer's caches in each loop's
/// `PolicyLoopState`, so every route that accepts the issuer shares them, and a new plan (a
/// reload) starts with empty caches.
public final class JWTTokenCacheSettings: Sendable {
    /// Entries per event loop.
    public let capacity: Int

    public static let defaultCapacity = 4096

    public init(capacity: Int = JWTTokenCacheSettings.defaultCapacity) {
        self.capacity = max(1, capacity)
    }
}
