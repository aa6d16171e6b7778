/// Reads the modulus and public exponent of an RSA public key from DER: a SubjectPublicKeyInfo
/// (`BEGIN PUBLIC KEY`) or a PKCS#1 `RSAPublicKey` (`BEGIN RSA PUBLIC KEY`). Strict: definite
/// lengths only, no trailing bytes.
enum RSAPublicKeyDER {
    static func components(of der: [UInt8]) -> (n: [UInt8], e: [UInt8])? {
        var reader = Reader(bytes: der[...])
        guard let outer = reader.element(tag: 0x30), reader.isAtEnd else { return nil }
        var body = Reader(bytes: outer)
        // PKCS#1: SEQUENCE { INTEGER n, INTEGER e }.
        var pkcs1 = body
        if let n = pkcs1.element(tag: 0x02), let e = pkcs1.element(tag: 0x02), pkcs1.isAtEnd {
            return (unsigned(n), unsigned(e))
        }
        // SPKI: SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }.
        guard body.element(tag: 0x30) != nil, let bits = body.element(tag: 0x03), body.isAtEnd,
            bits.first == 0
        else { return nil }
        return components(of: Array(bits.dropFirst()))
    }

    /// Significant bits of an unsigned big-endian integer.
    static func bitCount(_ bytes: [UInt8]) -> Int {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (bytes.count - first - 1) * 8 + (8 - bytes[first].leadingZeroBitCount)
    }

    /// A DER INTEGER's content without the sign byte.
    private static func unsigned(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(bytes.drop(while: { $0 == 0 }))
    }

    private struct Reader {
        var bytes: ArraySlice<UInt8>
        var isAtEnd: Bool { bytes.isEmpty }

        /// The content of the next element if it has `tag`.
        mutating func element(tag: UInt8) -> ArraySlice<UInt8>? {
            guard bytes.count >= 2, bytes.first == tag else { return nil }
            var index = bytes.startIndex + 1
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard count >= 1, count <= 4, bytes.endIndex - index >= count else { return nil }
                length = 0
                for _ in 0..<count {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard bytes.endIndex - index >= length else { return nil }
            let content = bytes[index..<(index + length)]
            bytes = bytes[(index + length)...]
            return content
        }
    }
}
