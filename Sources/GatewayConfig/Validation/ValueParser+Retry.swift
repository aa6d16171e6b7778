import GatewayCore

extension ValueParser {
    /// `connect_failure`, `reset`, `timeout`, or a 5xx status.
    static func retryCondition(_ text: String) -> Result<RetryCondition, ValueError> {
        let words: [String: RetryCondition] = ["connect_failure": .connectFailure, "reset": .reset, "timeout": .timeout]
        if let condition = words[text] { return .success(condition) }
        if isDigits(text) {
            return status(text, allowed: 500...599).map { RetryCondition.status($0) }
        }
        return .failure(
            ValueError(
                "unknown retry condition '\(text)'",
                hint: Suggestion.hint(for: text, among: words.keys.sorted()) ?? "expected connect_failure, reset, timeout or a status 500...599"))
    }

    /// `N%` with N in 0...100.
    static func percent(_ text: String) -> Result<Int, ValueError> {
        guard text.hasSuffix("%") else { return .failure(ValueError("'\(text)' is not a percentage", hint: "expected N% with N in 0...100, e.g. 20%")) }
        return integer(String(text.dropLast()), in: 0...100).mapError { _ in
            ValueError("invalid percentage '\(text)'", hint: "expected N% with N in 0...100")
        }
    }
}
