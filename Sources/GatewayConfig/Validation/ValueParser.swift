/// Parsers for the value types of `gateway.conf` arguments.
///
/// Each returns the typed value or a ``ValueError`` that says what would be valid. Validation
/// uses them to report; compilation calls them again for the values (they are cheap), so both
/// stages agree on one definition of every type.
enum ValueParser {
    static func isDigits<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A decimal integer in `range`.
    static func integer(_ text: String, in range: ClosedRange<Int>) -> Result<Int, ValueError> {
        guard isDigits(text) || (text.hasPrefix("-") && isDigits(text.dropFirst())) else {
            return .failure(ValueError("'\(text)' is not an integer", hint: "expected an integer in \(range.lowerBound)...\(range.upperBound)"))
        }
        guard let value = Int(text), range.contains(value) else {
            return .failure(ValueError("\(text) is out of range", hint: "expected an integer in \(range.lowerBound)...\(range.upperBound)"))
        }
        return .success(value)
    }

    /// One of a fixed set of words.
    static func keyword(_ text: String, among keywords: [String]) -> Result<String, ValueError> {
        guard keywords.contains(text) else {
            return .failure(ValueError("invalid value '\(text)'", hint: Suggestion.hint(for: text, among: keywords)))
        }
        return .success(text)
    }

    /// A name of an upstream group: `[A-Za-z0-9_.-]+`.
    static func name(_ text: String) -> Result<String, ValueError> {
        guard !text.isEmpty, text.utf8.allSatisfy(isNameByte) else {
            return .failure(ValueError("invalid name '\(text)'", hint: "use letters, digits, '_', '.' and '-'"))
        }
        return .success(text)
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
    }

    /// Text that can go into an HTTP header value: visible ASCII and inner spaces.
    static func headerValue(_ text: String) -> Result<String, ValueError> {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
            text.first != " ", text.last != " "
        else {
            return .failure(ValueError("'\(text)' is not a valid header value", hint: "use visible ASCII characters, spaces only inside"))
        }
        return .success(text)
    }
}
