@testable import GatewayConfig
import GatewayCore
import Testing

@Suite struct ParserTests {
    static func loc(_ line: Int, _ column: Int) -> GatewayCore.SourceLocation { GatewayCore.SourceLocation(file: "t.conf", line: line, column: column) }

    /// `name(arg,arg){…}@line:col` per directive, for compact expectations.
    static func render(_ directives: [Directive]) -> String {
        directives.map { d in
            var s = d.name
            if !d.arguments.isEmpty { s += "(" + d.arguments.map { ($0.wasQuoted ? "'" : "") + $0.text }.joined(separator: ",") + ")" }
            if let block = d.block { s += "{" + render(block) + "}" }
            return s + "@\(d.location.line):\(d.location.column)"
        }.joined(separator: " ")
    }

    @Test(arguments: [
        ("listen 8080;", "listen(8080)@1:1"),
        ("a; b c d;", "a@1:1 b(c,d)@1:4"),
        ("upstream api {\n  server x:1;\n}", "upstream(api){server(x:1)@2:3}@1:1"),
        ("t {}", "t{}@1:1"),
        ("a { b { c; } d; }", "a{b{c@1:9}@1:5 d@1:14}@1:1"),
        ("r \"/a b\" 'c';", "r('/a b,'c)@1:1"),
        ("x ${PORT} \"${HOST}:${PORT}\";", "x(8080,'example.test:8080)@1:1"),
        ("x ${NOPE:-d} ${EMPTY:-e} ${EMPTY} '${NOPE:-}';", "x(d,e,,')@1:1"),
        ("# only comments\n\n", ""),
    ])
    func parses(input: String, expected: String) throws {
        let env = ["PORT": "8080", "HOST": "example.test", "EMPTY": ""]
        let (directives, diagnostics) = try Parser.parse(input, file: "t.conf", environment: env)
        #expect(diagnostics.isEmpty)
        #expect(Self.render(directives) == expected)
    }

    @Test func argumentsKeepLocationsAndEnds() throws {
        let (directives, _) = try Parser.parse("route /a {\n  respond 200 \"ok\";\n}", file: "t.conf", environment: [:])
        let respond = try #require(directives.first?.block?.first)
        #expect(respond.location == Self.loc(2, 3))
        #expect(respond.arguments.map(\.location) == [Self.loc(2, 11), Self.loc(2, 15)])
        #expect(respond.arguments.map(\.end) == [Self.loc(2, 14), Self.loc(2, 19)])
        #expect(respond.end == Self.loc(2, 19))
        #expect(directives[0].arguments[0].wasQuoted == false)
        #expect(respond.arguments[1].wasQuoted)
    }

    @Test(arguments: [
        ("listen 8080", "t.conf:1:12: error: missing ';' at the end of 'listen' [in listen]; the file ends here"),
        ("route /a {\n  respond 200\n}", "t.conf:2:14: error: missing ';' at the end of 'respond' [in respond]; the block closes right after it"),
        ("a;\n}", "t.conf:2:1: error: unexpected '}'; no block is open here"),
        ("a {\n b;\n", "t.conf:1:3: error: block is never closed [in a]; add '}' to close the '{' opened here"),
        ("a;;", "t.conf:1:3: error: unexpected ';'; a ';' ends a directive, and none was started"),
        ("{ a; }", "t.conf:1:1: error: unexpected '{'; a block follows a directive name, e.g. 'upstream NAME { … }'"),
        ("\"listen\" 80;", "t.conf:1:1: error: expected a directive name, found a quoted string"),
        ("${X} 80;", "t.conf:1:1: error: a directive name cannot contain '${…}'"),
    ])
    func fatalErrors(input: String, expected: String) {
        do {
            _ = try Parser.parse(input, file: "t.conf", environment: ["X": "listen"])
            Issue.record("expected an error")
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func undefinedVariablesAreAllReportedAtTheirLocation() throws {
        let (directives, diagnostics) = try Parser.parse(
            "listen ${PORT};\nserver \"${HOST}:${PORT:-80}\" ${W};", file: "t.conf", environment: [:])
        #expect(directives.count == 2)
        #expect(
            diagnostics.map(\.description) == [
                "t.conf:1:8: error: environment variable 'PORT' is not set; set it, or give a default with ${PORT:-default}",
                "t.conf:2:9: error: environment variable 'HOST' is not set; set it, or give a default with ${HOST:-default}",
                "t.conf:2:30: error: environment variable 'W' is not set; set it, or give a default with ${W:-default}",
            ])
    }
}

@Suite struct IncludeTests {
    @Test(arguments: [
        ("a.conf", ".", "sites/x.conf"),
        ("conf/gateway.conf", "conf", "conf/sites/x.conf"),
        ("/etc/gw/gateway.conf", "/etc/gw", "/etc/gw/sites/x.conf"),
        ("/gateway.conf", "/", "/sites/x.conf"),
    ])
    func pathResolution(file: String, directory: String, resolved: String) {
        #expect(SourcePath.directory(of: file) == directory)
        #expect(SourcePath.resolve("sites/x.conf", relativeTo: directory) == resolved)
    }

    @Test(arguments: [
        ("a/./b/../c", "a/c"),
        ("../x/../y", "../y"),
        ("/a/../../b", "/b"),
        ("./", "."),
        ("a//b/", "a/b"),
    ])
    func normalisation(path: String, expected: String) {
        #expect(SourcePath.normalize(path) == expected)
    }

    @Test func includesSpliceInPlaceAtTopLevelAndInBlocks() {
        let loader = Fixtures.loader(files: [
            "etc/main.conf": "listen 1;\ninclude up.conf;\nroute / {\n  include /shared/action.conf;\n}\n",
            "etc/up.conf": "upstream a { server 10.0.0.1:80; }",
            "/shared/action.conf": "proxy a;",
        ])
        let result = loader.load(path: "etc/main.conf")
        guard let plan = result.plan else {
            Issue.record("load failed: \(result.report)")
            return
        }
        #expect(plan.sourceFiles == ["etc/main.conf", "etc/up.conf", "/shared/action.conf"])
        #expect(plan.upstreams["a"]?.location == GatewayCore.SourceLocation(file: "etc/up.conf", line: 1, column: 1))
        guard case .proxy(let target) = plan.routes.routes.first?.action else {
            Issue.record("route should proxy")
            return
        }
        #expect(target.upstream == "a")
    }

    @Test func unreadableMainFileHasNoLocation() {
        let result = Fixtures.loader(files: [:]).load(path: "missing.conf")
        #expect(result.report == "error: cannot read 'missing.conf': no such file")
    }
}
