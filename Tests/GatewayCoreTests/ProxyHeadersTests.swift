import GatewayCore
import NIOHTTP1
import Testing

struct ProxyHeadersTests {
    private static let untrusted = ProxyHeaders.Downstream(
        peer: IPAddress("1.2.3.4"), peerIsTrusted: false, scheme: "https", authority: "api.example.com",
        requestID: "req-1")
    private static let trusted = ProxyHeaders.Downstream(
        peer: IPAddress("10.0.0.1"), peerIsTrusted: true, scheme: "http", authority: "api.example.com:8080",
        requestID: "req-2")

    private func upstream(
        _ fields: [(String, String)], _ downstream: ProxyHeaders.Downstream = Self.untrusted, hostOverride: String? = nil
    ) -> HTTPHeaders {
        ProxyHeaders.upstreamRequestHeaders(HTTPHeaders(fields), downstream: downstream, hostOverride: hostOverride)
    }

    private func pairs(_ headers: HTTPHeaders) -> [String] {
        headers.map { "\($0.name): \($0.value)" }
    }

    // MARK: Hop-by-hop

    static let hopByHop = [
        "Connection", "connection", "Keep-Alive", "KEEP-ALIVE", "TE", "te", "Trailer", "Transfer-Encoding", "Upgrade",
        "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate", "proxy-authorization", "Proxy", "PROXY",
        "Proxy-X", "Proxy-Auth", "Proxy-Abcdefghijk", "Proxy-Ab",
    ]

    @Test(arguments: hopByHop)
    func requestDropsHopByHop(name: String) {
        let out = upstream([("Host", "h"), (name, "v"), ("Accept", "*/*")])
        #expect(!out.contains(name: name))
        #expect(out["Accept"] == ["*/*"])
    }

    @Test(arguments: hopByHop)
    func responseDropsHopByHop(name: String) {
        let out = ProxyHeaders.clientResponseHeaders(
            HTTPHeaders([(name, "v"), ("Content-Type", "text/plain")]), serverHeader: nil, requestID: "r")
        #expect(!out.contains(name: name))
        #expect(out["Content-Type"] == ["text/plain"])
    }

    @Test(arguments: [
        ([("Connection", "X-Secret")], "X-Secret"),
        ([("Connection", "x-secret")], "X-SECRET"),
        ([("connection", "X-SECRET")], "x-secret"),
        ([("Connection", "keep-alive, X-Secret")], "X-Secret"),
        ([("Connection", " X-Secret ,close")], "X-Secret"),
        ([("Connection", "close"), ("Connection", "X-Secret")], "X-Secret"),
        ([("Connection", "Cookie")], "Cookie"),
    ] as [([(String, String)], String)])
    func dropsNamesListedInConnection(connection: [(String, String)], name: String) {
        let fields = connection + [(name, "secret"), ("X-Other", "kept")]
        let request = upstream([("Host", "h")] + fields)
        #expect(!request.contains(name: name))
        #expect(request["X-Other"] == ["kept"])
        let response = ProxyHeaders.clientResponseHeaders(HTTPHeaders(fields), serverHeader: nil, requestID: "r")
        #expect(!response.contains(name: name))
        #expect(response["X-Other"] == ["kept"])
    }

    @Test func connectionTokensAreLowerCasedFromEveryField() {
        let headers = HTTPHeaders([("Connection", "Keep-Alive, X-A"), ("X-B", "1"), ("CONNECTION", " ,x-B,")])
        #expect(ProxyHeaders.connectionTokens(headers) == ["keep-alive", "x-a", "x-b"])
    }

    @Test func fieldsNamedInConnectionAreDroppedInAnyCaseBesideTheHopByHopOnes() {
        let fields: [(String, String)] = [
            ("Connection", "keep-alive, Close, X-Secret"), ("Keep-Alive", "timeout=5"), ("x-SECRET", "1"), ("X-Kept", "2"),
        ]
        let response = ProxyHeaders.clientResponseHeaders(HTTPHeaders(fields), serverHeader: nil, requestID: "r")
        #expect(pairs(response) == ["X-Kept: 2", "X-Request-ID: r"])
    }

    // MARK: Request side

    @Test func hostComesFirstThenClientHeadersThenForwarding() {
        let out = upstream([("Accept", "a"), ("Host", "client.example"), ("X-Custom", "1"), ("Cookie", "c")])
        #expect(
            pairs(out) == [
                "Host: api.example.com",
                "Accept: a",
                "X-Custom: 1",
                "Cookie: c",
                "X-Forwarded-For: 1.2.3.4",
                "X-Forwarded-Proto: https",
                "X-Forwarded-Host: api.example.com",
                "X-Request-ID: req-1",
            ])
    }

    @Test func hostOverrideReplacesAuthority() {
        let out = upstream([("Host", "client.example")], hostOverride: "backend.internal")
        #expect(out.first?.name == "Host")
        #expect(out["Host"] == ["backend.internal"])
        #expect(out["X-Forwarded-Host"] == ["api.example.com"])
    }

    @Test(arguments: ["Expect", "expect", "EXPECT"])
    func stripsExpect(name: String) {
        #expect(!upstream([(name, "100-continue")]).contains(name: "expect"))
    }

    @Test func keepsRepeatedEndToEndFieldsInOrder() {
        let out = upstream([("Accept", "a"), ("Cookie", "1"), ("Cookie", "2"), ("Authorization", "Bearer x")])
        #expect(out["Cookie"] == ["1", "2"])
        #expect(out["Authorization"] == ["Bearer x"])
    }

    @Test(arguments: [
        // untrusted: the client's list is replaced by the peer
        (false, [], "1.2.3.4"),
        (false, ["6.6.6.6"], "1.2.3.4"),
        (false, ["6.6.6.6", "7.7.7.7"], "1.2.3.4"),
        // trusted: the peer is appended to every incoming field, in order
        (true, [], "10.0.0.1"),
        (true, ["6.6.6.6"], "6.6.6.6, 10.0.0.1"),
        (true, ["6.6.6.6", "7.7.7.7, 8.8.8.8"], "6.6.6.6, 7.7.7.7, 8.8.8.8, 10.0.0.1"),
    ] as [(Bool, [String], String)])
    func forwardedFor(trusted: Bool, incoming: [String], expected: String) {
        let fields = incoming.map { ("X-Forwarded-For", $0) }
        let out = upstream(fields, trusted ? Self.trusted : Self.untrusted)
        #expect(out["X-Forwarded-For"] == [expected])
    }

    @Test(arguments: [
        (nil, "unknown"),
        (IPAddress("::ffff:1.2.3.4"), "1.2.3.4"),
        (IPAddress("2001:db8::1"), "2001:db8::1"),
    ] as [(IPAddress?, String)])
    func forwardedForNamesThePeer(peer: IPAddress?, expected: String) {
        let downstream = ProxyHeaders.Downstream(
            peer: peer, peerIsTrusted: false, scheme: "http", authority: "h", requestID: "r")
        #expect(upstream([("x-forwarded-for", "6.6.6.6")], downstream)["X-Forwarded-For"] == [expected])
    }

    @Test func untrustedPeerCannotSetForwardingHeaders() {
        let out = upstream([
            ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Port", "1"),
            ("Forwarded", "for=6.6.6.6"), ("X-Real-IP", "6.6.6.6"), ("x-real-ip", "7.7.7.7"),
        ])
        #expect(out["X-Forwarded-Proto"] == ["https"])
        #expect(out["X-Forwarded-Host"] == ["api.example.com"])
        #expect(!out.contains(name: "X-Forwarded-Port"))
        #expect(!out.contains(name: "Forwarded"))
        #expect(!out.contains(name: "X-Real-IP"))
    }

    @Test func trustedPeerForwardingHeadersAreKept() {
        let out = upstream(
            [
                ("X-Forwarded-Proto", "https"), ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "www.example.com"),
                ("X-Forwarded-Host", "other"), ("X-Forwarded-Port", "443"), ("Forwarded", "for=6.6.6.6"),
                ("X-Real-IP", "6.6.6.6"),
            ], Self.trusted)
        #expect(out["X-Forwarded-Proto"] == ["https"])
        #expect(out["X-Forwarded-Host"] == ["www.example.com"])
        #expect(out["X-Forwarded-Port"] == ["443"])
        #expect(out["Forwarded"] == ["for=6.6.6.6"])
        #expect(out["X-Real-IP"] == ["6.6.6.6"])
    }

    @Test func trustedPeerWithoutForwardingHeadersGetsListenerValues() {
        let out = upstream([], Self.trusted)
        #expect(out["X-Forwarded-Proto"] == ["http"])
        #expect(out["X-Forwarded-Host"] == ["api.example.com:8080"])
    }

    @Test(arguments: [false, true])
    func requestIDIsReplaced(trusted: Bool) {
        let downstream = trusted ? Self.trusted : Self.untrusted
        let out = upstream([("X-Request-ID", "client-id"), ("x-request-id", "again")], downstream)
        #expect(out["X-Request-ID"] == [downstream.requestID])
    }

    @Test(arguments: [
        ([("X-Request-ID", "abc-123")], true, "abc-123"),
        ([("x-request-id", "A.b_c:d-9")], true, "A.b_c:d-9"),
        ([("X-Request-ID", String(repeating: "a", count: 128))], true, String(repeating: "a", count: 128)),
        ([("X-Request-ID", "first"), ("X-Request-ID", "second")], true, "first"),
        ([("X-Request-ID", "abc-123")], false, nil),
        ([], true, nil),
        ([("X-Request-ID", "")], true, nil),
        ([("X-Request-ID", String(repeating: "a", count: 129))], true, nil),
        ([("X-Request-ID", "a b")], true, nil),
        ([("X-Request-ID", "a\"b")], true, nil),
        ([("X-Request-ID", "a/b")], true, nil),
        ([("X-Request-ID", "ä")], true, nil),
        ([("X-Request-ID", "a\r\nX-Injected: 1")], true, nil),
    ] as [([(String, String)], Bool, String?)])
    func trustedRequestID(fields: [(String, String)], trusted: Bool, expected: String?) {
        #expect(ProxyHeaders.trustedRequestID(HTTPHeaders(fields), peerIsTrusted: trusted) == expected)
    }

    // MARK: Response side

    @Test func responseRemovesServerAndPoweredByAndAddsOwn() {
        let upstream = HTTPHeaders([
            ("Server", "nginx/1.25.3"), ("Content-Type", "application/json"), ("X-Powered-By", "PHP/8.3"),
            ("Set-Cookie", "a=1"), ("x-request-id", "upstream-id"), ("Set-Cookie", "b=2"), ("Connection", "close"),
            ("Transfer-Encoding", "chunked"), ("server", "again"),
        ])
        let out = ProxyHeaders.clientResponseHeaders(upstream, serverHeader: "gateway", requestID: "req-9")
        #expect(
            pairs(out) == [
                "Content-Type: application/json",
                "Set-Cookie: a=1",
                "Set-Cookie: b=2",
                "Server: gateway",
                "X-Request-ID: req-9",
            ])
    }

    @Test func responseWithoutConfiguredServerHasNone() {
        let out = ProxyHeaders.clientResponseHeaders(
            HTTPHeaders([("Server", "nginx"), ("Content-Length", "3")]), serverHeader: nil, requestID: "req-9")
        #expect(pairs(out) == ["Content-Length: 3", "X-Request-ID: req-9"])
    }
}
