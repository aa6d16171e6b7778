import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// Starts a test upstream and the gateway in front of it, runs `body`, stops both.
func withProxy(
    upstream responder: @escaping TestUpstream.Responder = { _ in .init(body: "ok") },
    routes: [Route] = [],
    configure: (inout UpstreamSpec) -> Void = { _ in },
    settings: (inout ServerSettings) -> Void = { _ in },
    _ body: (TestUpstream, TestGateway, MultiThreadedEventLoopGroup) async throws -> Void
) async throws {
    try await withGateway(
        upstream: responder,
        plan: { TestPlans.proxy(to: [$0], routes: routes, upstream: configure, settings: settings) },
        body)
}

/// Starts a test upstream and the gateway serving `plan(upstreamPort)`, runs `body`, stops both.
func withGateway(
    threads: Int = 1,
    upstream responder: @escaping TestUpstream.Responder = { _ in .init(body: "ok") },
    plan: (Int) throws -> GatewayPlan,
    _ body: (TestUpstream, TestGateway, MultiThreadedEventLoopGroup) async throws -> Void
) async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let upstream = try await TestUpstream(group: group, responder: responder)
    let gateway: TestGateway
    do {
        gateway = try await TestGateway(plan: try plan(upstream.port))
    } catch {
        try await upstream.stop()
        try await group.shutdownGracefully()
        throw error
    }
    try await runThenStop(upstream, gateway, group, body)
}

@Suite("Forwarding") struct ProxyForwardingTests {
    @Test func forwardsRequestWithProxyHeaders() async throws {
        try await withProxy(upstream: { _ in .init(headers: [("X-Powered-By", "PHP/8"), ("Server", "Apache/2.4.1")], body: "hello") }) {
            upstream, gateway, group in
            let result = try await RawClient.send(
                ["GET /a/./b/../c?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: t\r\nX-Forwarded-For: 6.6.6.6\r\nX-Request-ID: spoofed\r\n\r\n"],
                port: gateway.port, group: group)
            let response = try #require(result.responses.first)
            #expect(response.status == 200)
            #expect(response.body == "hello")
            #expect(response.header("X-Powered-By") == nil)
            #expect(response.header("Server") == "gateway")
            let id = try #require(response.header("X-Request-ID"))
            #expect(id != "spoofed" && id.count == 32)
            let received = try #require(upstream.requests.first)
            #expect(received.head.uri == "/a/c?x=1")
            #expect(received.head.version == .http1_1)
            let names = received.head.headers.map(\.name)
            #expect(names.first == "Host")
            #expect(received.head.headers["Host"] == ["Example.COM:8080"])
            #expect(received.head.headers["X-Forwarded-For"] == ["127.0.0.1"])
            #expect(received.head.headers["X-Forwarded-Proto"] == ["http"])
            #expect(received.head.headers["X-Forwarded-Host"] == ["Example.COM:8080"])
            #expect(received.head.headers["X-Request-ID"] == [id])
            #expect(received.head.headers["User-Agent"] == ["t"])
        }
    }

    /// A response far above the client channel's write buffer: the upstream is paused while the
    /// client catches up and resumed after, however quickly the client drains it.
    @Test(arguments: [256 * 1024, 4 * 1024 * 1024])
    func largeResponseStreamsCompletely(size: Int) async throws {
        let body = String(repeating: "0123456789abcdef", count: size / 16)
        try await withProxy(upstream: { _ in .init(body: body) }) { upstream, gateway, group in
            for _ in 0..<3 {
                let result = try await RawClient.send(["GET /big HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
                let response = try #require(result.responses.first)
                #expect(response.status == 200)
                #expect(response.body.utf8.count == size)
                #expect(response.body == body)
            }
        }
    }

    @Test func stripsHopByHopHeadersBothWays() async throws {
        try await withProxy(upstream: { _ in .init(headers: [("Connection", "X-Secret"), ("X-Secret", "1"), ("Keep-Alive", "timeout=5"), ("X-Kept", "y")]) }) {
            upstream, gateway, group in
            let result = try await RawClient.send(
                ["GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Internal\r\nX-Internal: 1\r\nKeep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: x\r\nProxy: http://evil\r\nUpgrade: h2c\r\nX-End: 1\r\n\r\n"],
                port: gateway.port, group: group)
            let response = try #require(result.responses.first)
            #expect(response.header("X-Secret") == nil)
            #expect(response.header("Keep-Alive") == nil)
            #expect(response.header("X-Kept") == "y")
            let headers = try #require(upstream.requests.first).head.headers
            for name in ["Connection", "X-Internal", "Keep-Alive", "TE", "Proxy-Authorization", "Proxy", "Upgrade"] {
                #expect(!headers.contains(name: name), "\(name) was forwarded")
            }
            #expect(headers["X-End"] == ["1"])
        }
    }

    @Test func reusesUpstreamConnections() async throws {
        try await withProxy { upstream, gateway, group in
            for _ in 0..<5 {
                let result = try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
                #expect(result.responses.first?.status == 200)
            }
            #expect(upstream.requestCount == 5)
            #expect(upstream.connectionCount == 1)
        }
    }

    @Test func answersPipelinedRequestsInOrder() async throws {
        try await withProxy(upstream: { .init(body: "r:" + $0.head.uri) }) { upstream, gateway, group in
            let result = try await RawClient.send(
                ["GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n"],
                port: gateway.port, group: group, expect: 3)
            #expect(result.responses.map(\.body) == ["r:/1", "r:/2", "r:/3"])
        }
    }

    /// Pipelined requests of every kind (with a body, answered by the gateway, proxied) are
    /// answered in order; nothing after a `Connection: close` request is served.
    @Test func pipelinedMixStopsAfterConnectionClose() async throws {
        let routes = [Route(path: .exact("/static"), action: .respond(StaticResponse(status: 200, body: "static")))]
        try await withProxy(upstream: { .init(body: "r:" + $0.head.uri + ":" + String(buffer: $0.body)) }, routes: routes) {
            upstream, gateway, group in
            let result = try await RawClient.send(
                [
                    "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                        + "GET /static HTTP/1.1\r\nHost: a\r\n\r\n"
                        + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
                        + "GET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                        + "GET /5 HTTP/1.1\r\nHost: a\r\n\r\n"
                ],
                port: gateway.port, group: group, expect: 5, waitForClose: true,
                methods: [.POST, .GET, .POST, .GET, .GET])
            #expect(result.responses.map(\.body) == ["r:/1:abc", "static", "r:/3:xy", "r:/4:"])
            #expect(result.closed)
            #expect(upstream.requests.map(\.head.uri) == ["/1", "/3", "/4"])
        }
    }

    /// A malformed request behind a valid one is answered 400 after it, and the connection closes.
    @Test func malformedPipelinedRequestIsAnsweredInTurn() async throws {
        try await withProxy(upstream: { .init(body: "r:" + $0.head.uri) }) { upstream, gateway, group in
            let result = try await RawClient.send(
                ["GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n"],
                port: gateway.port, group: group, expect: 2, waitForClose: true)
            #expect(result.responses.map(\.status) == [200, 400])
            #expect(result.responses.first?.body == "r:/1")
            #expect(result.closed)
            #expect(upstream.requests.map(\.head.uri) == ["/1"])
        }
    }

    @Test func headResponsesHaveNoBody() async throws {
        try await withProxy(upstream: { _ in .init(body: "0123456789") }) { upstream, gateway, group in
            let result = try await RawClient.send(
                ["HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"],
                port: gateway.port, group: group, expect: 2, methods: [.HEAD, .GET])
            // The second response parses correctly only if the first carried no body bytes.
            #expect(result.responses.map(\.status) == [200, 200])
            #expect(result.responses.first?.header("Content-Length") == "10")
            #expect(result.responses.first?.body == "")
            #expect(result.responses.last?.body == "0123456789")
            #expect(upstream.requests.first?.head.method == .HEAD)
        }
    }

    @Test func expectContinueIsAnsweredByTheGateway() async throws {
        try await withProxy(upstream: { .init(body: "got " + String(buffer: $0.body)) }) { upstream, gateway, group in
            let result = try await RawClient.send(
                ["POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", "hello"],
                port: gateway.port, group: group)
            #expect(result.responses.map(\.status) == [100, 200])
            #expect(result.responses.last?.body == "got hello")
            #expect(upstream.requests.first?.head.headers.contains(name: "Expect") == false)
        }
    }

    @Test func streamsChunkedBodies() async throws {
        try await withProxy(upstream: { .init(body: String(buffer: $0.body)) }) { upstream, gateway, group in
            let result = try await RawClient.send(
                ["POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "6\r\n world\r\n0\r\n\r\n"],
                port: gateway.port, group: group)
            #expect(result.responses.first?.body == "hello world")
        }
    }
}
