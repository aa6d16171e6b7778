/// An IPv4 or IPv6 address, parsed from text without any system call.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    /// High and low 64 bits.
    case v6(UInt64, UInt64)

    public init?(_ text: String) { self.init(Substring(text)) }

    /// Accepts dotted-quad IPv4 (no leading zeros) and RFC 4291 IPv6 text (with `::` and an
    /// embedded IPv4 tail). Brackets, zones and ports are not part of an address.
    public init?(_ text: Substring) {
        if text.contains(":") {
            guard let (hi, lo) = IPAddress.parseV6(text) else { return nil }
            self = .v6(hi, lo)
        } else {
            guard let v4 = IPAddress.parseV4(text) else { return nil }
            self = .v4(v4)
        }
    }

    /// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4, so one CIDR list serves dual-stack sockets.
    public var unmapped: IPAddress {
        if case .v6(0, let lo) = self, lo >> 32 == 0xFFFF { return .v4(UInt32(truncatingIfNeeded: lo)) }
        return self
    }

    static func parseV4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            if part.utf8.count > 1 && part.utf8.first == 0x30 { return nil }
            guard let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    static func parseV6(_ text: Substring) -> (UInt64, UInt64)? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var halves: [String] = []
        var scan = text[...]
        while let r = scan.firstRange(of: "::") {
            halves.append(String(scan[scan.startIndex..<r.lowerBound]))
            scan = scan[r.upperBound...]
        }
        halves.append(String(scan))
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String, allowV4: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, part) in parts.enumerated() {
                if i == parts.count - 1, allowV4, part.contains(".") {
                    guard let v4 = parseV4(part) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xFFFF))
                } else {
                    // UInt16(_:radix:) alone would also take a sign ("+1", "-0").
                    guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(isHexDigit),
                        let g = UInt16(part, radix: 16)
                    else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        if halves.count == 2 {
            sawDoubleColon = true
            guard let h = groups(halves[0], allowV4: false), let t = groups(halves[1], allowV4: true) else { return nil }
            head = h
            tail = t
        } else {
            guard let h = groups(halves[0], allowV4: true) else { return nil }
            head = h
        }
        let total = head.count + tail.count
        if sawDoubleColon { guard total <= 7 else { return nil } } else { guard total == 8 else { return nil } }
        let all = head + Array(repeating: 0, count: 8 - total) + tail
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(all[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(all[i]) }
        return (hi, lo)
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    /// Dotted quad, or RFC 5952 canonical IPv6 (lower case, longest zero run compressed, IPv4-mapped
    /// addresses in mixed notation as §5 recommends).
    public var description: String {
        switch self {
        case .v4(let v):
            // Written digit by digit: every proxied request formats its client's address.
            return String(unsafeUninitializedCapacity: 15) { buffer in
                var count = 0
                for shift in stride(from: 24, through: 0, by: -8) {
                    let octet = Int((v >> UInt32(shift)) & 0xFF)
                    if shift != 24 {
                        buffer[count] = UInt8(ascii: ".")
                        count += 1
                    }
                    if octet >= 100 {
                        buffer[count] = UInt8(0x30 + octet / 100)
                        count += 1
                    }
                    if octet >= 10 {
                        buffer[count] = UInt8(0x30 + octet / 10 % 10)
                        count += 1
                    }
                    buffer[count] = UInt8(0x30 + octet % 10)
                    count += 1
                }
                return count
            }
        case .v6(0, let lo) where lo >> 32 == 0xFFFF:
            return "::ffff:" + IPAddress.v4(UInt32(truncatingIfNeeded: lo)).description
        case .v6(let hi, let lo):
            var groups: [UInt16] = []
            for i in 0..<4 { groups.append(UInt16((hi >> UInt64(48 - 16 * i)) & 0xFFFF)) }
            for i in 0..<4 { groups.append(UInt16((lo >> UInt64(48 - 16 * i)) & 0xFFFF)) }
            var bestStart = -1, bestLen = 0, i = 0
            while i < 8 {
                if groups[i] == 0 {
                    var j = i
                    while j < 8 && groups[j] == 0 { j += 1 }
                    if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                    i = j
                } else { i += 1 }
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
        }
    }
}
