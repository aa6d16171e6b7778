import GatewayCore
import Testing

struct RequestTargetNormalizerTests {
    private func normalize(_ target: String, method: String = "GET") -> Result<NormalizedTarget, GatewayError> {
        RequestTargetNormalizer.normalize(target, method: method)
    }

    // MARK: Dot segments (RFC 3986 §5.2.4, §5.4) and empty segments

    @Test(arguments: [
        // RFC 3986 §5.2.4
        ("/a/b/c/./../../g", "/a/g"),
        ("/mid/content=5/../6", "/mid/6"),
        // RFC 3986 §5.4 results, as absolute paths
        ("/b/c/./g", "/b/c/g"),
        ("/b/c/g/", "/b/c/g/"),
        ("/b/c/.", "/b/c/"),
        ("/b/c/./", "/b/c/"),
        ("/b/c/..", "/b/"),
        ("/b/c/../", "/b/"),
        ("/b/c/../g", "/b/g"),
        ("/b/c/../..", "/"),
        ("/b/c/../../", "/"),
        ("/b/c/../../g", "/g"),
        ("/b/c/g.", "/b/c/g."),
        ("/b/c/.g", "/b/c/.g"),
        ("/b/c/g..", "/b/c/g.."),
        ("/b/c/..g", "/b/c/..g"),
        ("/b/c/./../g", "/b/g"),
        ("/b/c/./g/.", "/b/c/g/"),
        ("/b/c/g/./h", "/b/c/g/h"),
        ("/b/c/g/../h", "/b/c/h"),
        ("/b/c/g;x=1/./y", "/b/c/g;x=1/y"),
        ("/b/c/g;x=1/../y", "/b/c/y"),
        ("/./g", "/g"),
        ("/.", "/"),
        ("/a/..", "/"),
        ("/a/b/../..", "/"),
        ("/.hidden/..x/x..", "/.hidden/..x/x.."),
        ("/file.tar.gz", "/file.tar.gz"),
    ])
    func removesDotSegments(input: String, expected: String) throws {
        #expect(try normalize(input).get().path == expected)
    }

    @Test(arguments: [
        ("/a//b", "/a/b"),
        ("//", "/"),
        ("///a////b//", "/a/b/"),
        ("//host/path", "/host/path"),
        ("/a/.//b", "/a/b"),
        ("/a//..", "/"),
        ("/a//../b", "/b"),
    ])
    func collapsesEmptySegments(input: String, expected: String) throws {
        #expect(try normalize(input).get().path == expected)
    }

    @Test(arguments: [
        ("/", "/"),
        ("/a/", "/a/"),
        ("/a/b/", "/a/b/"),
        ("/a/.", "/a/"),
        ("/a/./", "/a/"),
        ("/a/b/..", "/a/"),
        ("/a/b/../", "/a/"),
        ("/a", "/a"),
        ("/a/b/../c", "/a/c"),
    ])
    func preservesTrailingSlash(input: String, expected: String) throws {
        #expect(try normalize(input).get().path == expected)
    }

    @Test(arguments: [
        "/",
        "/api/v1/users",
        "/a;b=c/d",
        "/:@!$&'()*+,;=",
        "/A-Z_a-z~0-9",
        "/%3A%20%C3%A9",
    ])
    func leavesNormalPathsUnchanged(input: String) throws {
        #expect(try normalize(input).get().path == input)
    }

    // MARK: Percent-encoding

    @Test(arguments: [
        ("/%41", "/A"),
        ("/%41%42c", "/ABc"),
        ("/%7E", "/~"),
        ("/%7e", "/~"),
        ("/a%2Db%5F", "/a-b_"),
        ("/%30%39", "/09"),
        ("/%61%62%63", "/abc"),
        // decoded before dot segments are removed
        ("/%61/../b", "/b"),
        ("/%7Euser/./x", "/~user/x"),
    ])
    func decodesUnreservedEscapes(input: String, expected: String) throws {
        #expect(try normalize(input).get().path == expected)
    }

    @Test(arguments: [
        ("/%3a", "/%3A"),
        ("/%3A", "/%3A"),
        ("/a%2cb", "/a%2Cb"),
        ("/caf%c3%a9", "/caf%C3%A9"),
        ("/%20", "/%20"),
        ("/%25", "/%25"),
        ("/%3f%23", "/%3F%23"),
        ("/%fF", "/%FF"),
        ("/%3b/../x", "/x"),
    ])
    func upperCasesOtherEscapes(input: String, expected: String) throws {
        #expect(try normalize(input).get().path == expected)
    }

    // MARK: Rejections

    @Test(arguments: [
        // encoded '/', '\', '.', NUL and controls
        "/a%2fb", "/a%2Fb", "/a%5cb", "/a%5Cb", "/%2e%2e/etc/passwd", "/a/%2E", "/a/.%2e/b", "/file%2Etxt",
        "/a%00", "/a%0a", "/a%0A", "/a%0d", "/a%09", "/a%1F", "/a%7f",
        // raw backslash
        "/a\\b", "\\", "/..\\..\\x",
        // path parameters on dot segments (Tomcat/Jetty treat `..;x` as `..` and `.;x` as `.`)
        "/a/..;/b", "/..;/a", "/a/..;x=1/b", "/a/..;", "/a/.;/b", "/.;/a", "/a/.;x=1/b", "/.;jsessionid=1/admin",
        // climbing above the root
        "/..", "/../", "/../a", "/a/../..", "/a/../../b", "/./..", "/a/b/../../..",
        // malformed escapes
        "/%", "/a%", "/a%4", "/a%4/", "/a%zz", "/a%g1", "/a%1g", "/%%41",
        // fragment
        "/a#frag", "/#", "/a?b#c",
        // bytes outside the path grammar
        "/a b", "/a\tb", "/a\u{7F}", "/a\u{01}", "/a\u{00}", "/café", "/a<b", "/a>b", "/a\"b", "/a{b}", "/a|b", "/a^b",
        "/a`b", "/a[b]",
        // bad query bytes
        "/a?b c", "/a?b\tc", "/a?é", "/a?<", "/a?\"", "/a?x\u{7F}", "/a?x\\y", "/a?`",
        // malformed escapes in the query
        "/a?%zz", "/a?%4", "/a?%", "/a?x=%g0",
        // not origin-form or absolute-form
        "", "a/b", "?q", "example.com/a",
        // absolute-form with another scheme, userinfo or no host
        "ftp://example.com/", "ws://example.com/", "file:///etc/passwd", "http:/example.com/",
        "http://user@host/", "http://user:pw@host/", "http://@host/", "http:///path", "https://", "http://?q",
        // absolute-form paths are checked the same way
        "http://host/a/../..", "http://host/%2f", "http://host/a b",
    ])
    func rejectsWithBadRequest(input: String) {
        let result = normalize(input)
        guard case .failure(let error) = result else {
            Issue.record("accepted \(input.debugDescription) as \(result)")
            return
        }
        #expect(error.status == .badRequest)
        #expect(error.code == "bad_request")
    }

    // MARK: Absolute-form and asterisk-form

    @Test(arguments: [
        ("http://Example.com:8080/p?q", "Example.com:8080", "/p", "q" as String?),
        ("https://example.com/a/../b", "example.com", "/b", nil),
        ("http://host", "host", "/", nil),
        ("http://host?x=1", "host", "/", "x=1"),
        ("http://host/", "host", "/", nil),
        ("HTTP://host/x", "host", "/x", nil),
        ("HttpS://host/x", "host", "/x", nil),
        ("http://[::1]:8080/x/%7e", "[::1]:8080", "/x/~", nil),
        ("http://host//a//b/", "host", "/a/b/", nil),
    ])
    func absoluteFormGivesAuthorityAndPath(input: String, authority: String, path: String, query: String?) throws {
        let target = try normalize(input).get()
        #expect(target.authority == authority)
        #expect(target.path == path)
        #expect(target.query == query)
    }

    @Test func originFormHasNoAuthority() throws {
        #expect(try normalize("/a?b").get().authority == nil)
    }

    @Test func asteriskFormIsAcceptedForOptions() throws {
        let target = try normalize("*", method: "OPTIONS").get()
        #expect(target == NormalizedTarget(path: "*"))
        #expect(target.uri == "*")
    }

    @Test(arguments: [
        ("*", "GET"), ("*", "HEAD"), ("*", "POST"), ("*", "options"),
        ("*/a", "OPTIONS"), ("**", "OPTIONS"), ("*?x", "OPTIONS"),
    ])
    func asteriskFormIsRejectedOtherwise(input: String, method: String) {
        guard case .failure(let error) = normalize(input, method: method) else {
            Issue.record("accepted \(input) for \(method)")
            return
        }
        #expect(error.status == .badRequest)
    }

    // MARK: Query

    @Test(arguments: [
        ("/p?a=%2f&b=../c&c=%3a", "/p", "a=%2f&b=../c&c=%3a"),
        ("/p?", "/p", ""),
        ("/p?a?b=/c", "/p", "a?b=/c"),
        ("/%41?%41", "/A", "%41"),
        ("/a/./b?x=%2F", "/a/b", "x=%2F"),
        ("/p?a[]=1&b={x}|y^", "/p", "a[]=1&b={x}|y^"),
        ("/p?%7e%7E", "/p", "%7e%7E"),
        ("/p?..;/../", "/p", "..;/../"),
    ])
    func passesQueryThroughUnchanged(input: String, path: String, query: String) throws {
        let target = try normalize(input).get()
        #expect(target.path == path)
        #expect(target.query == query)
        #expect(target.uri == path + "?" + query)
    }

    @Test func uriWithoutQueryIsThePath() throws {
        let target = try normalize("/a/./b").get()
        #expect(target.query == nil)
        #expect(target.uri == "/a/b")
    }
}
