@testable import GatewayConfig
import GatewayCore
import Testing

@Suite struct LexerTests {
    /// A compact rendering of tokens: `line:col kind text`.
    static func render(_ tokens: [Token]) -> [String] {
        tokens.map { t in
            let kind = switch t.kind {
            case .word: "word"
            case .quoted: "quoted"
            case .openBrace: "{"
            case .closeBrace: "}"
            case .semicolon: ";"
            }
            return "\(t.location.line):\(t.location.column) \(kind) \(t.literalText)"
        }
    }

    @Test(arguments: [
        ("listen 8080;", ["1:1 word listen", "1:8 word 8080", "1:12 ; ;"]),
        ("a{b;}", ["1:1 word a", "1:2 { {", "1:3 word b", "1:4 ; ;", "1:5 } }"]),
        ("r /v2{path}x {\n}", ["1:1 word r", "1:3 word /v2{path}x", "1:14 { {", "2:1 } }"]),
        ("t {uri}{host} {", ["1:1 word t", "1:3 word {uri}{host}", "1:15 { {"]),
        ("a {b}", ["1:1 word a", "1:3 word {b}"]),
        ("a {b c}", ["1:1 word a", "1:3 { {", "1:4 word b", "1:6 word c", "1:7 } }"]),
        ("x{1}", ["1:1 word x", "1:2 { {", "1:3 word 1", "1:4 } }"]),
        ("  x\n\ty  # comment ; {\nz", ["1:3 word x", "2:2 word y", "3:1 word z"]),
        ("a#b c", ["1:1 word a#b", "1:5 word c"]),
        ("#only a comment", []),
        (#""a b" 'c d'"#, ["1:1 quoted a b", "1:7 quoted c d"]),
        (#""q\"\'\\\n\t$""#, ["1:1 quoted q\"'\\\n\t$"]),
        (#"'it\'s'"#, ["1:1 quoted it's"]),
        ("\"\"", ["1:1 quoted "]),
        ("\"two\nlines\" next", ["1:1 quoted two\nlines", "2:8 word next"]),
        (#""a\$b" x$y"#, ["1:1 quoted a$b", "1:8 word x$y"]),
        ("x${A}y \"${B:-d e}\"", ["1:1 word x${A}y", "1:8 quoted ${B:-d e}"]),
        ("é x", ["1:1 word é", "1:3 word x"]),
        ("a\r\nb", ["1:1 word a", "2:1 word b"]),
        ("\"a\";", ["1:1 quoted a", "1:4 ; ;"]),
    ])
    func tokens(input: String, expected: [String]) throws {
        let tokens = try Lexer.tokenize(input, file: "t.conf")
        #expect(Self.render(tokens) == expected)
    }

    @Test func variablePiecesCarryTheirLocation() throws {
        let tokens = try Lexer.tokenize("  a${X}b${Y:-z}", file: "t.conf")
        #expect(
            tokens[0].pieces == [
                .literal("a"),
                .variable(name: "X", defaultValue: nil, location: GatewayCore.SourceLocation(file: "t.conf", line: 1, column: 4)),
                .literal("b"),
                .variable(name: "Y", defaultValue: "z", location: GatewayCore.SourceLocation(file: "t.conf", line: 1, column: 9)),
            ])
        #expect(tokens[0].end == GatewayCore.SourceLocation(file: "t.conf", line: 1, column: 16))
    }

    @Test(arguments: [
        ("x \"abc", "t.conf:1:3: error: unterminated string; the \" opened here is never closed"),
        ("x\n  'abc\n", "t.conf:2:3: error: unterminated string; the ' opened here is never closed"),
        (#"x "a\qb""#, #"t.conf:1:5: error: unknown escape '\q' in string; expected one of: \" \' \\ \n \t \$"#),
        ("a\"b\"", "t.conf:1:2: error: unexpected quote inside a word; quote the whole argument, e.g. \"a b\" rather than a\"b\""),
        ("\"a\"b", "t.conf:1:4: error: unexpected 'b' right after a string; separate arguments with a space"),
        ("x ${A", "t.conf:1:3: error: unterminated variable reference; write ${NAME} or ${NAME:-default}"),
        ("x ${A:-b\n}", "t.conf:1:3: error: unterminated variable reference; write ${NAME} or ${NAME:-default}"),
        ("x ${}", "t.conf:1:3: error: invalid variable name after '${'; write ${NAME} or ${NAME:-default}"),
        ("x ${9A}", "t.conf:1:3: error: invalid variable name after '${'; write ${NAME} or ${NAME:-default}"),
        ("x ${A-b}", "t.conf:1:3: error: unterminated variable reference; write ${NAME} or ${NAME:-default}"),
    ])
    func errors(input: String, expected: String) {
        #expect(throws: Diagnostic.self) { try Lexer.tokenize(input, file: "t.conf") }
        do {
            _ = try Lexer.tokenize(input, file: "t.conf")
        } catch {
            #expect(error.description == expected)
        }
    }
}
