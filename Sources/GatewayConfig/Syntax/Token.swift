import GatewayCore

/// One lexical unit of `gateway.conf`.
struct Token: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A bare word: anything up to whitespace, `{`, `}`, `;` or a quote.
        case word
        /// A single- or double-quoted string, escapes decoded.
        case quoted
        case openBrace
        case closeBrace
        case semicolon
    }

    var kind: Kind
    /// Content of a word or string: literal text and `${…}` references, not yet expanded.
    var pieces: [TextPiece]
    var location: SourceLocation
    /// Just past the last character, where a missing `;` would go.
    var end: SourceLocation

    /// The text as written for words without references (directive names, punctuation).
    var literalText: String {
        pieces.map { piece in
            switch piece {
            case .literal(let text): text
            case .variable(let name, let fallback, _): "${" + name + (fallback.map { ":-" + $0 } ?? "") + "}"
            }
        }.joined()
    }

    var hasVariables: Bool {
        pieces.contains { if case .variable = $0 { true } else { false } }
    }
}

/// A part of a word or string.
enum TextPiece: Sendable, Hashable {
    case literal(String)
    /// `${NAME}` or `${NAME:-default}`, located at its `$`.
    case variable(name: String, defaultValue: String?, location: SourceLocation)
}
