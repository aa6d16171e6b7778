/// A Lua script run with `EVALSHA`; the client loads it on first use and again after the server
/// forgets it (`NOSCRIPT` after `SCRIPT FLUSH` or a restart).
public struct RedisScript: Sendable, Hashable {
    public let source: String

    public init(_ source: String) {
        self.source = source
    }
}
