/// Standard padded base64 (RFC 4648 §4) for PEM bodies, built on the strict ``Base64URL``.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var body = Array(text.utf8)
        while body.last == UInt8(ascii: "=") { body.removeLast() }
        guard text.utf8.count % 4 == 0 else { return nil }
        for i in body.indices {
            switch body[i] {
            case UInt8(ascii: "+"): body[i] = UInt8(ascii: "-")
            case UInt8(ascii: "/"): body[i] = UInt8(ascii: "_")
            case UInt8(ascii: "-"), UInt8(ascii: "_"): return nil
            default: break
            }
        }
        return Base64URL.decode(body)
    }
}
