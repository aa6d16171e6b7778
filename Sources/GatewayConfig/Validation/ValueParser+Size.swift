extension ValueParser {
    /// A byte count: a number, optionally with `k`, `m` or `g` (binary multiples, any case):
    /// `512`, `16k`, `1m`, `2g`.
    static func size(_ text: String, in range: ClosedRange<Int> = 0...Int(Int32.max) * 8) -> Result<Int, ValueError> {
        let hint = "write bytes, optionally with a unit: '512', '16k', '1m', '2g'"
        var digits = Substring(text)
        var multiplier = 1
        switch text.last?.lowercased() {
        case "k": multiplier = 1 << 10
        case "m": multiplier = 1 << 20
        case "g": multiplier = 1 << 30
        default: break
        }
        if multiplier != 1 { digits = digits.dropLast() }
        guard isDigits(digits), digits.count <= 12, let value = Int(digits) else {
            return .failure(ValueError("invalid size '\(text)'", hint: hint))
        }
        let bytes = value * multiplier
        guard range.contains(bytes) else {
            return .failure(ValueError("size '\(text)' is out of range", hint: "expected \(range.lowerBound)...\(range.upperBound) bytes"))
        }
        return .success(bytes)
    }
}
