import GatewayCore
import NIOHTTP1
import Testing

/// One request head for a table row.
struct HeadCase: Sendable, CustomTestStringConvertible {
    var label: String
    var method: HTTPMethod = .GET
    var version: HTTPVersion = .http1_1
    var uri: String = "/"
    var headers: [(String, String)] = [("Host", "example.com")]

    var head: HTTPRequestHead {
        HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders(headers))
    }

    var testDescription: String { label }
}

private let host = ("Host", "example.com")

struct RequestValidatorTests {

    // MARK: Framing

    @Test(arguments: [
        (HeadCase(label: "no body headers"), BodyFraming.none),
        (HeadCase(label: "CL 0", headers: [host, ("Content-Length", "0")]), .contentLength(0)),
        (HeadCase(label: "CL 10", headers: [host, ("Content-Length", "10")]), .contentLength(10)),
        (HeadCase(label: "CL lower-case name", headers: [host, ("content-length", "3")]), .contentLength(3)),
        (HeadCase(label: "CL leading zeros", headers: [host, ("Content-Length", "007")]), .contentLength(7)),
        (HeadCase(label: "CL list of equal values", headers: [host, ("Content-Length", "5, 5")]), .contentLength(5)),
        (HeadCase(label: "CL identical fields", headers: [host, ("Content-Length", "5"), ("Content-Length", "5")]), .contentLength(5)),
        (HeadCase(label: "CL 18 digits", headers: [host, ("Content-Length", "999999999999999999")]), .contentLength(999_999_999_999_999_999)),
        (HeadCase(label: "TE chunked", headers: [host, ("Transfer-Encoding", "chunked")]), .chunked),
        (HeadCase(label: "TE Chunked", headers: [host, ("transfer-encoding", "Chunked")]), .chunked),
        (HeadCase(label: "TE padded", headers: [host, ("Transfer-Encoding", " chunked\t")]), .chunked),
        (HeadCase(label: "HTTP/1.0 CL", version: .http1_0, headers: [host, ("Content-Length", "4")]), .contentLength(4)),
    ])
    func framing(_ row: HeadCase, expected: BodyFraming) throws {
        #expect(try RequestValidator.validate(row.head).get().framing == expected)
    }

    @Test(arguments: [
        (BodyFraming.none, false), (.contentLength(0), false), (.contentLength(1), true), (.chunked, true),
    ])
    func hasBody(framing: BodyFraming, expected: Bool) {
        let request = ValidatedRequest(
            host: "h", authority: "h", target: NormalizedTarget(path: "/"), framing: framing, expectsContinue: false)
        #expect(request.hasBody == expected)
    }

    // MARK: Rejections

    @Test(arguments: [
        // request smuggling: two ways to frame the body
        HeadCase(label: "CL + TE", headers: [host, ("Content-Length", "5"), ("Transfer-Encoding", "chunked")]),
        HeadCase(label: "TE + CL", headers: [host, ("Transfer-Encoding", "chunked"), ("Content-Length", "0")]),
        HeadCase(label: "CL list conflicting", headers: [host, ("Content-Length", "5, 6")]),
        HeadCase(label: "CL fields conflicting", headers: [host, ("Content-Length", "5"), ("Content-Length", "6")]),
        HeadCase(label: "CL -1", headers: [host, ("Content-Length", "-1")]),
        HeadCase(label: "CL +5", headers: [host, ("Content-Length", "+5")]),
        HeadCase(label: "CL 0x10", headers: [host, ("Content-Length", "0x10")]),
        HeadCase(label: "CL blank", headers: [host, ("Content-Length", " ")]),
        HeadCase(label: "CL empty", headers: [host, ("Content-Length", "")]),
        HeadCase(label: "CL trailing comma", headers: [host, ("Content-Length", "5,")]),
        HeadCase(label: "CL inner space", headers: [host, ("Content-Length", "1 2")]),
        HeadCase(label: "CL decimal", headers: [host, ("Content-Length", "5.0")]),
        HeadCase(label: "CL 19 digits", headers: [host, ("Content-Length", "1000000000000000000")]),
        HeadCase(label: "CL huge", headers: [host, ("Content-Length", "99999999999999999999999999")]),
        HeadCase(label: "CL non-ASCII digit", headers: [host, ("Content-Length", "٣")]),
        HeadCase(label: "TE in HTTP/1.0", version: .http1_0, headers: [host, ("Transfer-Encoding", "chunked")]),
        // Host
        HeadCase(label: "missing Host", headers: []),
        HeadCase(label: "missing Host, other headers", headers: [("Accept", "*/*")]),
        HeadCase(label: "duplicate Host", headers: [host, host]),
        HeadCase(label: "duplicate Host, different", headers: [host, ("host", "other.example")]),
        HeadCase(label: "Host a b", headers: [("Host", "a b")]),
        HeadCase(label: "Host exa_mple..com", headers: [("Host", "exa_mple..com")]),
        HeadCase(label: "Host port 99999", headers: [("Host", "host:99999")]),
        HeadCase(label: "Host port 65536", headers: [("Host", "host:65536")]),
        HeadCase(label: "Host empty port", headers: [("Host", "host:")]),
        HeadCase(label: "Host port abc", headers: [("Host", "host:abc")]),
        HeadCase(label: "Host port +80", headers: [("Host", "host:+80")]),
        HeadCase(label: "Host only port", headers: [("Host", ":80")]),
        HeadCase(label: "Host [::1", headers: [("Host", "[::1")]),
        HeadCase(label: "Host [zz]", headers: [("Host", "[zz]")]),
        HeadCase(label: "Host [::1]x", headers: [("Host", "[::1]x")]),
        HeadCase(label: "Host [::1]:", headers: [("Host", "[::1]:")]),
        HeadCase(label: "Host [1.2.3.4]", headers: [("Host", "[1.2.3.4]")]),
        HeadCase(label: "Host bare IPv6", headers: [("Host", "::1")]),
        HeadCase(label: "Host empty", headers: [("Host", "")]),
        HeadCase(label: "Host two trailing dots", headers: [("Host", "example.com..")]),
        HeadCase(label: "Host leading dot", headers: [("Host", ".example.com")]),
        HeadCase(label: "Host only a dot", headers: [("Host", ".")]),
        HeadCase(label: "Host port 6 digits", headers: [("Host", "host:000080")]),
        HeadCase(label: "Host userinfo", headers: [("Host", "user@example.com")]),
        HeadCase(label: "Host non-ASCII", headers: [("Host", "exämple.com")]),
        HeadCase(label: "Host with path", headers: [("Host", "example.com/x")]),
        HeadCase(label: "Host label too long", headers: [("Host", String(repeating: "a", count: 64) + ".com")]),
        HeadCase(label: "HTTP/1.0 without Host", version: .http1_0, headers: []),
        // target
        HeadCase(label: "encoded slash", uri: "/a%2fb"),
        HeadCase(label: "asterisk for GET", uri: "*"),
        HeadCase(label: "absolute-form with userinfo", uri: "http://user@example.com/"),
        HeadCase(label: "absolute-form with bad authority", uri: "http://a%20b/"),
    ])
    func rejectsWithBadRequest(_ row: HeadCase) {
        expectFailure(row, status: .badRequest)
    }

    @Test(arguments: [
        HeadCase(label: "gzip", headers: [host, ("Transfer-Encoding", "gzip")]),
        HeadCase(label: "gzip, chunked", headers: [host, ("Transfer-Encoding", "gzip, chunked")]),
        HeadCase(label: "chunked, chunked", headers: [host, ("Transfer-Encoding", "chunked, chunked")]),
        HeadCase(label: "identity", headers: [host, ("Transfer-Encoding", "identity")]),
        HeadCase(label: "chunked, gzip", headers: [host, ("Transfer-Encoding", "chunked, gzip")]),
        HeadCase(label: "chunked;x=1", headers: [host, ("Transfer-Encoding", "chunked;x=1")]),
        HeadCase(label: "two chunked fields", headers: [host, ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")]),
        HeadCase(label: "gzip field then chunked field", headers: [host, ("Transfer-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]),
    ])
    func rejectsOtherTransferCodingsAsNotImplemented(_ row: HeadCase) {
        expectFailure(row, status: .notImplemented, code: "unsupported_transfer_coding")
    }

    @Test(arguments: [
        HTTPVersion(major: 0, minor: 9), HTTPVersion(major: 3, minor: 0), HTTPVersion(major: 1, minor: 2),
        HTTPVersion(major: 2, minor: 1),
    ])
    func rejectsOtherVersions(_ version: HTTPVersion) {
        expectFailure(HeadCase(label: "\(version)", version: version), status: .httpVersionNotSupported)
    }

    /// HTTP/2 requests come from NIOHTTP2's codec as version 2.0 with `:authority` as Host and
    /// `transfer-encoding: chunked` added for a body of unknown length.
    @Test func acceptsHTTP2HeadsAsTheCodecMakesThem() throws {
        let h2 = HTTPVersion(major: 2, minor: 0)
        let get = try RequestValidator.validate(HeadCase(label: "GET", version: h2, headers: [("host", "api.example.com:443")]).head).get()
        #expect(get.host == "api.example.com")
        #expect(get.framing == .none)
        let post = HeadCase(label: "POST", method: .POST, version: h2, headers: [("host", "a.test"), ("transfer-encoding", "chunked")])
        #expect(try RequestValidator.validate(post.head).get().framing == .chunked)
        let expect = HeadCase(label: "100-continue", method: .PUT, version: h2, headers: [("host", "a.test"), ("content-length", "3"), ("expect", "100-continue")])
        #expect(try RequestValidator.validate(expect.head).get().expectsContinue)
        expectFailure(HeadCase(label: "no host", version: h2, headers: []), status: .badRequest)
    }

    @Test(arguments: [HTTPMethod.TRACE, .CONNECT])
    func rejectsTraceAndConnect(_ method: HTTPMethod) {
        let row = HeadCase(label: method.rawValue, method: method, uri: method == .CONNECT ? "example.com:443" : "/")
        expectFailure(row, status: .methodNotAllowed, code: "method_not_allowed")
    }

    @Test(arguments: ["100-continue", "100-Continue", "100-CONTINUE"])
    func expectContinueIsRecorded(_ value: String) throws {
        let row = HeadCase(label: value, method: .POST, headers: [host, ("Expect", value), ("Content-Length", "3")])
        let request = try RequestValidator.validate(row.head).get()
        #expect(request.expectsContinue)
        #expect(request.framing == .contentLength(3))
    }

    @Test func noExpectMeansNoContinue() throws {
        #expect(try RequestValidator.validate(HeadCase(label: "plain").head).get().expectsContinue == false)
    }

    /// RFC 9110 §10.1.1: a server that receives 100-continue in an HTTP/1.0 request must ignore it.
    @Test func expectContinueIsIgnoredForHTTP10() throws {
        let row = HeadCase(label: "1.0", method: .POST, version: .http1_0, headers: [host, ("Expect", "100-continue")])
        #expect(try RequestValidator.validate(row.head).get().expectsContinue == false)
    }

    @Test(arguments: ["", "foo", "100-continue, foo", "100-continues", "200-ok", "100-continue;x"])
    func otherExpectationsFail(_ value: String) {
        expectFailure(HeadCase(label: value, headers: [host, ("Expect", value)]), status: .expectationFailed)
    }

    // MARK: Host

    @Test(arguments: [
        ("example.com", "example.com"),
        ("Example.COM", "example.com"),
        ("example.com:8080", "example.com"),
        ("example.com.", "example.com"),
        ("EXAMPLE.com.:443", "example.com"),
        ("example.com:0", "example.com"),
        ("example.com:65535", "example.com"),
        ("localhost", "localhost"),
        ("exa_mple.com", "exa_mple.com"),
        ("api.service.internal.example.com", "api.service.internal.example.com"),
        ("API.service.internal.example.com.:8443", "api.service.internal.example.com"),
        (String(repeating: "a", count: 63) + ".com", String(repeating: "a", count: 63) + ".com"),
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1:80", "127.0.0.1"),
        ("[::1]", "[::1]"),
        ("[::1]:8080", "[::1]"),
        ("[0:0:0:0:0:0:0:1]", "[::1]"),
        ("[2001:DB8::1]:443", "[2001:db8::1]"),
        ("[2001:0db8:0000:0000:0000:0000:0000:0001]", "[2001:db8::1]"),
        ("[::FFFF:1.2.3.4]:80", "[::ffff:1.2.3.4]"),
    ])
    func normalisesHost(header: String, expected: String) throws {
        let request = try RequestValidator.validate(HeadCase(label: header, headers: [("Host", header)]).head).get()
        #expect(request.host == expected)
        #expect(request.authority == header)
    }

    @Test func hostHeaderNameIsCaseInsensitive() throws {
        let request = try RequestValidator.validate(HeadCase(label: "HOST", headers: [("HOST", "a.example")]).head).get()
        #expect(request.host == "a.example")
    }

    @Test func http10WithHostIsAccepted() throws {
        let request = try RequestValidator.validate(HeadCase(label: "1.0", version: .http1_0).head).get()
        #expect(request.host == "example.com")
        #expect(request.framing == .none)
    }

    @Test func absoluteFormAuthorityReplacesHost() throws {
        let row = HeadCase(label: "absolute", uri: "http://API.example.com:8080/a/./b?x=1", headers: [("Host", "other.example")])
        let request = try RequestValidator.validate(row.head).get()
        #expect(request.host == "api.example.com")
        #expect(request.authority == "API.example.com:8080")
        #expect(request.target == NormalizedTarget(path: "/a/b", query: "x=1", authority: "API.example.com:8080"))
    }

    @Test func absoluteFormStillNeedsHostOnHTTP11() {
        expectFailure(HeadCase(label: "absolute without Host", uri: "http://example.com/", headers: []), status: .badRequest)
    }

    @Test func absoluteFormWithoutHostIsAcceptedOnHTTP10() throws {
        let row = HeadCase(label: "1.0 absolute", version: .http1_0, uri: "http://example.com/x", headers: [])
        let request = try RequestValidator.validate(row.head).get()
        #expect(request.host == "example.com")
        #expect(request.target.path == "/x")
    }

    @Test func targetIsNormalised() throws {
        let row = HeadCase(label: "target", uri: "/a//b/../%7Ec?q=%2f")
        #expect(try RequestValidator.validate(row.head).get().target == NormalizedTarget(path: "/a/~c", query: "q=%2f"))
    }

    @Test func optionsAsteriskIsAccepted() throws {
        let row = HeadCase(label: "OPTIONS *", method: .OPTIONS, uri: "*")
        #expect(try RequestValidator.validate(row.head).get().target.path == "*")
    }

    private func expectFailure(
        _ row: HeadCase, status: HTTPResponseStatus, code: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let result = RequestValidator.validate(row.head)
        guard case .failure(let error) = result else {
            Issue.record("accepted \(row.label): \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.status == status, "\(row.label): \(error)", sourceLocation: sourceLocation)
        if let code { #expect(error.code == code, sourceLocation: sourceLocation) }
    }
}
