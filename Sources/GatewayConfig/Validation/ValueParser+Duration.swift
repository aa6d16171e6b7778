import NIOCore

extension ValueParser {
    static let durationUnits: [(unit: String, nanoseconds: Int64)] = [
        ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000),
    ]

    /// A duration: numbers with units `ms`, `s`, `m`, `h`, `d`, largest first, combinable
    /// (`250ms`, `5s`, `1m30s`, `1d12h`). A bare number is refused: `30` could mean anything.
    static func duration(_ text: String, allowZero: Bool = false) -> Result<TimeAmount, ValueError> {
        let unitHint = "write a number with a unit, e.g. '5s' or '1m30s' (units: ms, s, m, h, d)"
        if isDigits(text) {
            return .failure(ValueError("duration '\(text)' has no unit", hint: "did you mean '\(text)s'? units: ms, s, m, h, d"))
        }
        guard !text.isEmpty else { return .failure(ValueError("invalid duration ''", hint: unitHint)) }
        var rest = Substring(text)
        var total: Int64 = 0
        var lastRank = -1
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            let afterDigits = rest.dropFirst(digits.count)
            let unit = afterDigits.prefix { $0.isASCII && $0.isLetter }
            guard !digits.isEmpty, !unit.isEmpty, let value = Int64(digits),
                let rank = durationUnits.firstIndex(where: { $0.unit == unit })
            else {
                return .failure(ValueError("invalid duration '\(text)'", hint: unitHint))
            }
            guard rank > lastRank else {
                return .failure(ValueError("invalid duration '\(text)'", hint: "units must go from largest to smallest, each once, e.g. '1m30s'"))
            }
            lastRank = rank
            let (product, overflow) = value.multipliedReportingOverflow(by: durationUnits[rank].nanoseconds)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow, !overflow2, sum <= 365 * durationUnits[0].nanoseconds else {
                return .failure(ValueError("duration '\(text)' is too long", hint: "at most 365d"))
            }
            total = sum
            rest = afterDigits.dropFirst(unit.count)
        }
        if total == 0 && !allowZero {
            return .failure(ValueError("duration must be longer than zero"))
        }
        return .success(.nanoseconds(total))
    }

    /// The shortest exact rendering of a duration in the units the parser takes (`1m30s`).
    static func format(_ amount: TimeAmount) -> String {
        var rest = amount.nanoseconds
        if rest == 0 { return "0s" }
        var out = rest < 0 ? "-" : ""
        rest = abs(rest)
        for (unit, size) in durationUnits where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        if rest >= 1_000 { out += "\(rest / 1_000)us"; rest %= 1_000 }
        if rest > 0 { out += "\(rest)ns" }
        return out
    }
}
