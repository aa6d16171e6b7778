/// Port: a named response cache of the plan, as the admin side sees it (purge and usage). The
/// cache policy of a route owns the lookup and store operations; this is what others may ask.
public protocol ResponseCacheStore: AnyObject, Sendable {
    var name: String { get }
    /// Removes every stored variant of one target URI, written `host/path?query` (host lower
    /// case, path normalised). Returns how many keys were removed.
    @discardableResult func purge(url: String) -> Int
    /// Removes every stored response whose target URI starts with `prefix` (`host/path…`).
    @discardableResult func purge(prefix: String) -> Int
    /// Removes every stored response whose target URI `matches` (called under the shards'
    /// locks: it must only look at the string). Returns how many keys were removed.
    @discardableResult func purge(where matches: (String) -> Bool) -> Int
    /// Bytes held now (bodies and headers), never above the configured `max_size`.
    var storedBytes: Int { get }
    /// Keys held now.
    var storedKeys: Int { get }
    /// Background (`stale-while-revalidate`) refreshes since the cache was created, by outcome:
    /// `started`, `refreshed` (a 304), `replaced` (a new response), `failed`.
    var backgroundRevalidationCounts: [(outcome: String, count: Int)] { get }
}
