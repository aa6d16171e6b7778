/// The settings of one named cache (`cache NAME { … }`).
public struct CacheConfig: Sendable, Hashable {
    public var name: String
    /// Bytes the cache may hold in all (bodies and headers).
    public var maxSize: Int
    /// The largest response stored; larger ones stream through unstored.
    public var maxObject: Int
    /// Lifetime given to responses that state none, where RFC 9111 §4.2.2 allows a heuristic;
    /// `nil` (`off`) uses only the `Last-Modified` heuristic.
    public var defaultTTL: Int64?
    /// Request headers added to the key (lower case), in configuration order.
    public var keyHeaders: [String]
    /// How long concurrent misses wait for the one request that fills the entry, in seconds;
    /// then they go upstream themselves.
    public var coalesceWait: Int64

    public init(
        name: String, maxSize: Int = 256 << 20, maxObject: Int = 1 << 20, defaultTTL: Int64? = nil, keyHeaders: [String] = [],
        coalesceWait: Int64 = 5
    ) {
        self.name = name
        self.maxSize = maxSize
        self.maxObject = maxObject
        self.defaultTTL = defaultTTL
        self.keyHeaders = keyHeaders.map { $0.lowercased() }
        self.coalesceWait = coalesceWait
    }
}
