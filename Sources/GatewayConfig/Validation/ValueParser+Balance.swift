import GatewayCore

extension ValueParser {
    /// The key of `balance hash`: `client_ip`, `header:NAME`, `cookie:NAME` or `path`.
    static func balanceHashKey(_ text: String) -> Result<BalanceHashKey, ValueError> {
        let kinds = ["client_ip", "header:NAME", "cookie:NAME", "path"]
        switch text {
        case "client_ip": return .success(.clientIP)
        case "path": return .success(.path)
        default: break
        }
        for prefix in ["header:", "cookie:"] where text.hasPrefix(prefix) {
            let name = String(text.dropFirst(prefix.count))
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                return .failure(ValueError("invalid name in '\(text)'", hint: "expected \(prefix)NAME, e.g. \(prefix)session"))
            }
            return .success(prefix == "header:" ? .header(name.lowercased()) : .cookie(name))
        }
        return .failure(ValueError("invalid hash key '\(text)'", hint: Suggestion.hint(for: text, among: kinds)))
    }
}
