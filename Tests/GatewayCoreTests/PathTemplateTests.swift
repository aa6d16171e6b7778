import GatewayCore
import Testing

struct PathTemplateTests {
    @Test(arguments: [
        ("", [] as [PathTemplate.Piece]),
        ("/static", [.literal("/static")]),
        ("{path}", [.path]),
        ("/v2{path}", [.literal("/v2"), .path]),
        ("/v2{path}?{query}", [.literal("/v2"), .path, .literal("?"), .query]),
        ("https://{host}{uri}", [.literal("https://"), .host, .uri]),
        ("{host}{path}{query}{uri}", [.host, .path, .query, .uri]),
        ("/a}b", [.literal("/a}b")]),
        ("{path}/x/", [.path, .literal("/x/")]),
    ])
    func parses(text: String, pieces: [PathTemplate.Piece]) throws {
        let template = try PathTemplate(parsing: text)
        #expect(template.pieces == pieces)
        #expect(template.description == text)
    }

    @Test(arguments: [
        ("/{nope}", PathTemplateError.unknownPlaceholder("nope")),
        ("{PATH}", .unknownPlaceholder("PATH")),
        ("{}", .unknownPlaceholder("")),
        ("{ path }", .unknownPlaceholder(" path ")),
        ("{{path}}", .unknownPlaceholder("{path")),
        ("/{path", .unterminated),
        ("{", .unterminated),
        ("/a/{path}/{", .unterminated),
    ])
    func rejects(text: String, error: PathTemplateError) {
        #expect(throws: error) { try PathTemplate(parsing: text) }
    }

    @Test(arguments: [
        ("/v2{path}", "/users/1", "a=1" as String?, "h.example" as String?, "/v2/users/1"),
        ("{uri}", "/p", "a=1", nil, "/p?a=1"),
        ("{uri}", "/p", nil, nil, "/p"),
        ("{uri}", "/p", "", nil, "/p?"),
        ("{path}?{query}", "/p", nil, nil, "/p?"),
        ("https://{host}{uri}", "/p", "x", "example.com", "https://example.com/p?x"),
        ("https://{host}/", "/p", nil, nil, "https:///"),
        ("/fixed", "/p", "q", "h", "/fixed"),
        ("{path}{path}", "/a", nil, nil, "/a/a"),
    ])
    func renders(text: String, path: String, query: String?, host: String?, expected: String) throws {
        #expect(try PathTemplate(parsing: text).render(path: path, query: query, host: host) == expected)
    }
}
