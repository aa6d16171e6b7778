import GatewayCore
import GatewayPolicies

extension ValueParser {
    /// A header field name: an RFC 9110 token.
    static func headerName(_ text: String) -> Result<String, ValueError> {
        guard !text.isEmpty, text.utf8.allSatisfy(isTokenByte) else {
            return .failure(ValueError("invalid header name '\(text)'", hint: "expected a token such as 'X-Frame-Options'"))
        }
        return .success(text)
    }

    static func origin(_ text: String) -> Result<OriginPattern, ValueError> {
        OriginPattern.parse(text).mapError { ValueError($0.message, hint: $0.hint) }
    }

    /// `all` (nil) or a CIDR block.
    static func cidrOrAll(_ text: String) -> Result<CIDR?, ValueError> {
        text == "all" ? .success(nil) : cidr(text).map { $0 }
    }

    /// A size in bytes that must be at least 1.
    static func positiveSize(_ text: String) -> Result<Int, ValueError> {
        size(text, in: 1...Int(Int32.max) * 8)
    }

    /// The shortest exact rendering of a byte count in the units the parser takes (`16k`).
    static func format(bytes: Int) -> String {
        for (unit, shift) in [("g", 30), ("m", 20), ("k", 10)] where bytes != 0 && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return String(bytes)
    }
}
