import GatewayCore

/// Builds the located syntax tree of one file from its tokens and expands `${…}` references.
///
/// Grammar: `file = directive*`, `directive = WORD argument* (";" | "{" directive* "}")`,
/// `argument = WORD | STRING`. Structural errors are fatal (the rest of the file would be read
/// wrongly); an undefined variable is collected and parsing goes on, so every one is reported.
struct Parser {
    private let tokens: [Token]
    private let environment: [String: String]
    private var position = 0
    /// Non-fatal problems (undefined variables).
    private(set) var diagnostics: [Diagnostic] = []

    init(tokens: [Token], environment: [String: String]) {
        self.tokens = tokens
        self.environment = environment
    }

    /// Parses one file. Fatal errors are thrown; collected ones are returned beside the tree.
    static func parse(
        _ text: String,
        file: String,
        environment: [String: String]
    ) throws(Diagnostic) -> (directives: [Directive], diagnostics: [Diagnostic]) {
        var parser = Parser(tokens: try Lexer.tokenize(text, file: file), environment: environment)
        let directives = try parser.parseDirectives(openedBy: nil)
        return (directives, parser.diagnostics)
    }

    private mutating func next() -> Token? {
        guard position < tokens.count else { return nil }
        defer { position += 1 }
        return tokens[position]
    }

    /// Directives up to the `}` matching `open`, or to the end of the file when `open` is nil.
    private mutating func parseDirectives(openedBy open: (token: Token, directive: String)?) throws(Diagnostic) -> [Directive] {
        var directives: [Directive] = []
        while true {
            guard let token = next() else {
                guard let open else { return directives }
                throw Diagnostic(
                    at: open.token.location, in: open.directive, "block is never closed",
                    hint: "add '}' to close the '{' opened here")
            }
            switch token.kind {
            case .closeBrace:
                guard open != nil else {
                    throw Diagnostic(at: token.location, "unexpected '}'", hint: "no block is open here")
                }
                return directives
            case .semicolon:
                throw Diagnostic(at: token.location, "unexpected ';'", hint: "a ';' ends a directive, and none was started")
            case .openBrace:
                throw Diagnostic(at: token.location, "unexpected '{'", hint: "a block follows a directive name, e.g. 'upstream NAME { … }'")
            case .quoted:
                throw Diagnostic(at: token.location, "expected a directive name, found a quoted string")
            case .word:
                directives.append(try parseDirective(name: token))
            }
        }
    }

    private mutating func parseDirective(name token: Token) throws(Diagnostic) -> Directive {
        guard !token.hasVariables else {
            throw Diagnostic(at: token.location, "a directive name cannot contain '${…}'")
        }
        let name = token.literalText
        var arguments: [Argument] = []
        var last = token
        while true {
            guard let next = next() else {
                throw Diagnostic(at: last.end, in: name, "missing ';' at the end of '\(name)'", hint: "the file ends here")
            }
            switch next.kind {
            case .word, .quoted:
                arguments.append(Argument(text: expand(next), location: next.location, wasQuoted: next.kind == .quoted, end: next.end))
                last = next
            case .semicolon:
                return Directive(name: name, arguments: arguments, block: nil, location: token.location, end: last.end)
            case .openBrace:
                let block = try parseDirectives(openedBy: (next, name))
                return Directive(name: name, arguments: arguments, block: block, location: token.location, end: last.end)
            case .closeBrace:
                throw Diagnostic(
                    at: last.end, in: name, "missing ';' at the end of '\(name)'",
                    hint: "the block closes right after it")
            }
        }
    }

    private mutating func expand(_ token: Token) -> String {
        var text = ""
        for piece in token.pieces {
            switch piece {
            case .literal(let literal):
                text += literal
            case .variable(let name, let fallback, let location):
                if let value = environment[name], !value.isEmpty || fallback == nil {
                    text += value
                } else if let fallback {
                    text += fallback
                } else {
                    diagnostics.append(
                        Diagnostic(
                            at: location, "environment variable '\(name)' is not set",
                            hint: "set it, or give a default with ${\(name):-default}"))
                }
            }
        }
        return text
    }
}
