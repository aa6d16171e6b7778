import GatewayCore

/// One `allow` or `deny` line: a verdict for the client addresses in a block.
public struct IPRule: Sendable, Hashable, CustomStringConvertible {
    public var allow: Bool
    /// `nil` stands for `all` (every address, IPv4 and IPv6, and an unknown one).
    public var block: CIDR?

    public init(allow: Bool, block: CIDR?) {
        self.allow = allow
        self.block = block
    }

    public func matches(_ address: IPAddress?) -> Bool {
        guard let block else { return true }
        guard let address else { return false }
        return block.contains(address)
    }

    public var description: String {
        (allow ? "allow " : "deny ") + (block?.description ?? "all")
    }
}
