/// Generates request ids: 32 lower-case hex digits from a per-event-loop xoshiro256** stream
/// seeded from the system generator, so an id costs no syscall and no lock.
///
/// Not Sendable: one instance per event loop.
public struct RequestIDGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init() {
        var system = SystemRandomNumberGenerator()
        state = (system.next(), system.next(), system.next(), system.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private mutating func next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    public mutating func generate() -> String {
        let hi = next(), lo = next()
        return String(unsafeUninitializedCapacity: 32) { buffer in
            Self.writeHex(hi, to: buffer, at: 0)
            Self.writeHex(lo, to: buffer, at: 16)
            return 32
        }
    }

    /// 16 lower-case hex digits, never all zero (a W3C trace-context span id).
    public mutating func generateSpanID() -> String {
        var value = next()
        while value == 0 { value = next() }
        return String(unsafeUninitializedCapacity: 16) { buffer in
            Self.writeHex(value, to: buffer, at: 0)
            return 16
        }
    }

    private static func writeHex(_ value: UInt64, to buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let digits: StaticString = "0123456789abcdef"
        let d = digits.utf8Start
        for i in 0..<16 { buffer[offset + i] = d[Int((value >> UInt64(60 - 4 * i)) & 0xF)] }
    }

    /// An incoming id is kept only if it is 1–128 characters of `[A-Za-z0-9._:-]`, so it cannot
    /// inject into logs or headers.
    public static func isValid(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= 128 else { return false }
        return utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2E || b == 0x5F || b == 0x3A || b == 0x2D
        }
    }
}
