import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Malformed and ambiguous requests: each gets the right 4xx/5xx and never produces a request
/// upstream (checked against the upstream's raw byte log, not just its parsed requests).
@Suite("Strict parsing") struct StrictParsingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var raw: String
        var status: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "CL and TE together", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "conflicting Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", status: 400),
        Case(name: "Content-Length list", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", status: 400),
        Case(name: "malformed Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", status: 400),
        Case(name: "unknown transfer coding", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: 501),
        Case(name: "TE with trailing garbage", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n", status: 400),
        Case(name: "space before colon", raw: "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", status: 400),
        Case(name: "bare LF in field", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\nX-B: 2\r\n\r\n", status: 400),
        Case(name: "NUL in field", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u{0}2\r\n\r\n", status: 400),
        Case(name: "bare CR in field", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n", status: 400),
        Case(name: "CR in request id", raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Request-ID: a\rSet-Cookie: x=1\r\n\r\n", status: 400),
        Case(name: "missing Host", raw: "GET / HTTP/1.1\r\n\r\n", status: 400),
        Case(name: "duplicate Host", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        Case(name: "invalid Host", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400),
        Case(name: "HTTP/0.9", raw: "GET /\r\n\r\n", status: 400),
        Case(name: "HTTP/2.0 on HTTP/1 connection", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "malformed version", raw: "GET / HTTP/1.x\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "encoded slash", raw: "GET /a%2f..%2fadmin HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "encoded dot", raw: "GET /%2e%2e/admin HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "encoded backslash", raw: "GET /a%5cb HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "raw backslash", raw: "GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "dot-dot-semicolon", raw: "GET /app/..;/admin HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "above root", raw: "GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
        Case(name: "TRACE", raw: "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", status: 405),
        Case(name: "CONNECT", raw: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", status: 405),
        Case(name: "TE in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Case(name: "bad chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", status: 400),
        Case(name: "unsupported Expect", raw: "GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", status: 417),
    ]

    @Test(arguments: cases)
    func rejectedBeforeTheUpstream(_ testCase: Case) async throws {
        try await withProxy { upstream, gateway, group in
            let result = try await RawClient.send([testCase.raw], port: gateway.port, group: group, waitForClose: true, timeout: .seconds(5))
            let response = try #require(result.responses.first, "no response")
            #expect(response.status == testCase.status)
            #expect(response.header("Content-Type") == "application/json")
            if testCase.name != "CONNECT" {  // responses to CONNECT carry no body (RFC 9110 §9.3.6)
                #expect(response.body.contains(#""request_id":""#))
            }
            #expect(result.closed, "connection must be closed after a framing error")
            // Nothing at all reached the upstream: not the request, not a smuggled one.
            #expect(upstream.connectionCount == 0 || upstream.rawText.isEmpty)
            #expect(upstream.requestCount == 0)
        }
    }

    @Test func absoluteFormNeverSelectsAnotherDestination() async throws {
        try await withProxy { upstream, gateway, group in
            let result = try await RawClient.send(
                ["GET http://evil.example:9999/x?y=1 HTTP/1.1\r\nHost: good\r\n\r\n"], port: gateway.port, group: group)
            #expect(result.responses.first?.status == 200)
            let request = try #require(upstream.requests.first)
            #expect(request.head.uri == "/x?y=1")
            // RFC 9112 §3.2.2: the target's authority replaces Host; it is forwarded as the Host
            // value, but the destination is still the routed upstream.
            #expect(request.head.headers["Host"] == ["evil.example:9999"])
        }
    }

    @Test func normalisedPathIsWhatTheUpstreamSees() async throws {
        try await withProxy { upstream, gateway, group in
            let result = try await RawClient.send(
                ["GET //a/./b/%7euser/%41%3a/../c HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
            #expect(result.responses.first?.status == 200)
            #expect(upstream.requests.first?.head.uri == "/a/b/~user/c")
        }
    }

    @Test func smuggledRequestInBodyStaysABody() async throws {
        // A well-formed chunked request whose body looks like a request: one request upstream.
        try await withProxy(upstream: { .init(body: String($0.body.readableBytes)) }) { upstream, gateway, group in
            let inner = "GET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
            let chunk = String(inner.utf8.count, radix: 16)
            let result = try await RawClient.send(
                ["POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(chunk)\r\n\(inner)\r\n0\r\n\r\n"],
                port: gateway.port, group: group)
            #expect(result.responses.first?.body == String(inner.utf8.count))
            #expect(upstream.requestCount == 1)
            #expect(upstream.requests.first?.head.uri == "/")
        }
    }
}
