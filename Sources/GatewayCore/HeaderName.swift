/// ASCII case-insensitive header-name comparison without allocating a lower-cased copy.
extension StringProtocol {
    @inlinable @inline(__always)
    public func equalsIgnoringASCIICase(_ lower: StaticString) -> Bool {
        let count = lower.utf8CodeUnitCount
        guard self.utf8.count == count else { return false }
        let l = lower.utf8Start
        var i = 0
        for byte in self.utf8 {
            let b = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
            if b != l[i] { return false }
            i += 1
        }
        return true
    }

    @inlinable @inline(__always)
    public func hasPrefixIgnoringASCIICase(_ lower: StaticString) -> Bool {
        let count = lower.utf8CodeUnitCount
        guard self.utf8.count >= count else { return false }
        let l = lower.utf8Start
        var i = 0
        for byte in self.utf8 {
            if i == count { return true }
            let b = (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
            if b != l[i] { return false }
            i += 1
        }
        return true
    }

    /// Equal to `lower`, a string already in lower case, ignoring the ASCII case of `self`.
    @inlinable @inline(__always)
    public func equalsIgnoringASCIICase(lowerCased lower: String) -> Bool {
        guard self.utf8.count == lower.utf8.count else { return false }
        return self.utf8.elementsEqual(lower.utf8) { byte, l in
            ((byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte) == l
        }
    }
}
