/// A 64-bit hash that is the same in every process and on every machine (unlike `Hasher`, which is
/// seeded per process), so gateways of a fleet map a key to the same server.
///
/// FNV-1a over the UTF-8 bytes, then the SplitMix64 finaliser to spread FNV's weak low bits.
public enum StableHash {
    public static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        return mix(h)
    }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
