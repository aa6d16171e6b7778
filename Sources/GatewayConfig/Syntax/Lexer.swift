import GatewayCore

/// Splits `gateway.conf` text into located tokens.
///
/// Words run up to whitespace, `{`, `}`, `;` or a quote; `#` starts a comment only where a token
/// could start (so `a#b` is one word). A template placeholder `{name}` (letters and `_` between
/// the braces) is part of a word wherever it appears, so `rewrite /v2{path};` needs no quotes;
/// any other `{` or `}` is punctuation. Strings take `'…'` or `"…"` with the escapes `\" \' \\ \n
/// \t \$` and may span lines. `${NAME}` and `${NAME:-default}` are recognised in words and strings
/// and left for the parser to expand. Lexical errors are fatal: past one, positions mean nothing.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1

    init(text: String, file: String) {
        self.scalars = Array(text.unicodeScalars)
        self.file = file
    }

    static func tokenize(_ text: String, file: String) throws(Diagnostic) -> [Token] {
        var lexer = Lexer(text: text, file: file)
        var tokens: [Token] = []
        while let token = try lexer.next() { tokens.append(token) }
        return tokens
    }

    private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }
    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    /// The length of a `{name}` placeholder starting at the current `{`, or `nil` if there is none.
    private func placeholderLength() -> Int? {
        var offset = 1
        while let c = peek(offset), c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) { offset += 1 }
        return offset > 1 && peek(offset) == "}" ? offset + 1 : nil
    }

    static func isNameCharacter(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    mutating func next() throws(Diagnostic) -> Token? {
        while let c = current {
            if Self.isSpace(c) {
                advance()
            } else if c == "#" {
                while let c = current, c != "\n" { advance() }
            } else {
                break
            }
        }
        guard let c = current else { return nil }
        let start = location
        if c == "{", placeholderLength() != nil { return try word() }
        switch c {
        case "{", "}", ";":
            advance()
            let kind: Token.Kind = c == "{" ? .openBrace : c == "}" ? .closeBrace : .semicolon
            return Token(kind: kind, pieces: [.literal(String(c))], location: start, end: location)
        case "\"", "'":
            return try quoted(delimiter: c)
        default:
            return try word()
        }
    }

    private mutating func word() throws(Diagnostic) -> Token {
        let start = location
        var pieces = TextBuilder()
        while let c = current, !Self.isSpace(c), c != "}", c != ";" {
            if c == "\"" || c == "'" {
                throw Diagnostic(
                    at: location, "unexpected quote inside a word",
                    hint: "quote the whole argument, e.g. \"a b\" rather than a\"b\"")
            }
            if c == "$", peek(1) == "{" {
                pieces.append(try variable())
                continue
            }
            if c == "{" {
                guard let length = placeholderLength() else { break }
                for _ in 0..<length {
                    pieces.append(current!)
                    advance()
                }
                continue
            }
            pieces.append(c)
            advance()
        }
        return Token(kind: .word, pieces: pieces.finish(), location: start, end: location)
    }

    private mutating func quoted(delimiter: Unicode.Scalar) throws(Diagnostic) -> Token {
        let start = location
        advance()
        var pieces = TextBuilder()
        while true {
            guard let c = current else {
                throw Diagnostic(
                    at: start, "unterminated string",
                    hint: "the \(delimiter) opened here is never closed")
            }
            if c == delimiter {
                advance()
                break
            }
            if c == "\\" {
                let escapeLocation = location
                advance()
                guard let e = current else { continue }
                switch e {
                case "\"", "'", "\\", "$": pieces.append(e)
                case "n": pieces.append("\n")
                case "t": pieces.append("\t")
                default:
                    throw Diagnostic(
                        at: escapeLocation, "unknown escape '\\\(e)' in string",
                        hint: #"expected one of: \" \' \\ \n \t \$"#)
                }
                advance()
                continue
            }
            if c == "$", peek(1) == "{" {
                pieces.append(try variable())
                continue
            }
            pieces.append(c)
            advance()
        }
        if let c = current, !Self.isSpace(c), c != ";", c != "{", c != "}", c != "#" {
            throw Diagnostic(
                at: location, "unexpected '\(c)' right after a string",
                hint: "separate arguments with a space")
        }
        return Token(kind: .quoted, pieces: pieces.finish(), location: start, end: location)
    }

    /// `${NAME}` or `${NAME:-default}`, with the current position at `$`.
    private mutating func variable() throws(Diagnostic) -> TextPiece {
        let start = location
        advance()
        advance()
        var name = ""
        while let c = current, Self.isNameCharacter(c) {
            name.unicodeScalars.append(c)
            advance()
        }
        let syntaxHint = "write ${NAME} or ${NAME:-default}"
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else {
            throw Diagnostic(at: start, "invalid variable name after '${'", hint: syntaxHint)
        }
        var fallback: String? = nil
        if current == ":", peek(1) == "-" {
            advance()
            advance()
            var text = ""
            while let c = current, c != "}", c != "\n" {
                text.unicodeScalars.append(c)
                advance()
            }
            fallback = text
        }
        guard current == "}" else {
            throw Diagnostic(at: start, "unterminated variable reference", hint: syntaxHint)
        }
        advance()
        return .variable(name: name, defaultValue: fallback, location: start)
    }
}

/// Accumulates literal text and variable pieces, merging adjacent literals.
private struct TextBuilder {
    private var pieces: [TextPiece] = []
    private var literal = ""

    mutating func append(_ c: Unicode.Scalar) { literal.unicodeScalars.append(c) }

    mutating func append(_ piece: TextPiece) {
        flush()
        pieces.append(piece)
    }

    private mutating func flush() {
        if !literal.isEmpty {
            pieces.append(.literal(literal))
            literal = ""
        }
    }

    mutating func finish() -> [TextPiece] {
        flush()
        return pieces.isEmpty ? [.literal("")] : pieces
    }
}
