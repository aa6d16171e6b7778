/// An address block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a single host.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses `text`; refuses host bits set beyond the prefix (`10.0.0.1/8`), which is almost
    /// always a typo.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maxLength: Int
        switch address {
        case .v4: maxLength = 32
        case .v6: maxLength = 128
        }
        var length = maxLength
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].utf8.count <= 3, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(parts[1]), value <= maxLength
            else { return nil }
            length = value
        }
        guard CIDR.masked(address, length) == address else { return nil }
        if case .v6 = address, case .v4(let v4) = address.unmapped {
            // `contains` sees IPv4-mapped candidates as IPv4, so a mapped block is kept as IPv4 too.
            // The host-bits check above guarantees length >= 96 here (the ffff bits end at 96).
            self.address = .v4(v4)
            self.prefixLength = length - 96
        } else {
            self.address = address
            self.prefixLength = length
        }
    }

    public func contains(_ ip: IPAddress) -> Bool {
        let ip = ip.unmapped
        switch (address, ip) {
        case (.v4, .v4), (.v6, .v6): return CIDR.masked(ip, prefixLength) == address
        default: return false
        }
    }

    static func masked(_ ip: IPAddress, _ length: Int) -> IPAddress {
        switch ip {
        case .v4(let v):
            return .v4(length == 0 ? 0 : v & (UInt32.max << UInt32(32 - length)))
        case .v6(let hi, let lo):
            let hiMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : UInt64.max << UInt64(64 - length))
            let loMask: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : UInt64.max << UInt64(128 - length))
            return .v6(hi & hiMask, lo & loMask)
        }
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
