import GatewayCore

/// One problem found in a configuration, pointing at the place that caused it.
///
/// Rendered the way compilers do, so editors and terminals can jump to it:
/// `file:line:col: error: <message> [in <directive>]; <hint>`. The hint is either a correction
/// (`did you mean 'listen'?`) or what would be valid there (`expected one of: …`).
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        /// The configuration cannot be used.
        case error
        /// The configuration works but is probably not what was meant.
        case warning
    }

    public var severity: Severity
    /// `nil` only when there is no place to point at (the main file could not be read).
    public var location: SourceLocation?
    /// The directive the problem is in; for an unknown directive, the block that contains it.
    public var directive: String?
    public var message: String
    public var hint: String?

    public init(
        _ severity: Severity = .error,
        at location: SourceLocation?,
        in directive: String? = nil,
        _ message: String,
        hint: String? = nil
    ) {
        self.severity = severity
        self.location = location
        self.directive = directive
        self.message = message
        self.hint = hint
    }

    public var isError: Bool { severity == .error }

    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += "\(severity.rawValue): \(message)"
        if let directive { text += " [in \(directive)]" }
        if let hint { text += "; \(hint)" }
        return text
    }
}

extension Diagnostic {
    /// Sorts diagnostics by place: files in the order they were loaded, then line and column.
    /// Stable, so two problems at one place keep the order they were found in.
    static func sorted(_ diagnostics: [Diagnostic], fileOrder: [String]) -> [Diagnostic] {
        func rank(_ d: Diagnostic) -> (Int, Int, Int) {
            guard let location = d.location else { return (-1, 0, 0) }
            let file = fileOrder.firstIndex(of: location.file) ?? fileOrder.count
            return (file, location.line, location.column)
        }
        return diagnostics.enumerated()
            .sorted { a, b in
                let ra = rank(a.element), rb = rank(b.element)
                return ra != rb ? ra < rb : a.offset < b.offset
            }
            .map(\.element)
    }
}
