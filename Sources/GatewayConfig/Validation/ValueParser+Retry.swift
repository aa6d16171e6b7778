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

    /// `NNN` or `LOW-HIGH`, statuses in 100...599 (an `expect` of a health check).
    static func statusRange(_ text: String) -> Result<ClosedRange<Int>, ValueError> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let hint = "expected a status or a range of statuses in 100...599, e.g. 200 or 200-399"
        guard parts.count <= 2, let low = try? status(parts[0], allowed: 100...599).get() else {
            return .failure(ValueError("invalid status range '\(text)'", hint: hint))
        }
        guard parts.count == 2 else { return .success(low...low) }
        guard let high = try? status(parts[1], allowed: 100...599).get(), low <= high else {
            return .failure(ValueError("invalid status range '\(text)'", hint: hint))
        }
        return .success(low...high)
    }
}
