import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import Testing

@Suite("HTTP/2 downstream") struct HTTP2Tests {
    static let routes = [
        Route(path: .exact("/health"), action: .respond(StaticResponse(status: 200, body: "ok"))),
        Route(path: .prefix("/api/"), action: .proxy(ProxyTarget(upstream: "app"))),
    ]

    /// A gateway with one TLS listener (h2 by ALPN) and one cleartext h2c listener, proxying
    /// `/api/*` to a test upstream that echoes the body length.
    struct Setup {
        let certificates: TestCertificates
        let upstream: TestUpstream
        let gateway: TestGateway
        let group: MultiThreadedEventLoopGroup
        var tlsPort: Int { gateway.ports[0] }
        var h2cPort: Int { gateway.ports[1] }

        func client() async throws -> H2TestClient {
            try await H2TestClient.connect(
                port: tlsPort, group: group,
                tls: try TLSTestClient.configuration(trusting: certificates.caCertificate), serverName: "api.example.test")
        }

        func stop() async throws {
            await gateway.stop()
            try await upstream.stop()
            try await group.shutdownGracefully()
            certificates.remove()
        }
    }

    static func start(settings: (inout ServerSettings) -> Void = { _ in }) async throws -> Setup {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let certificates = try TestCertificates()
        let server = try certificates.issue("server", names: ["api.example.test"])
        let upstream = try await TestUpstream(group: group) { request in
            .init(headers: [("X-Seen-Host", request.head.headers.first(name: "host") ?? "-"),
                            ("X-Seen-Proto", request.head.headers.first(name: "x-forwarded-proto") ?? "-")],
                  body: "\(request.head.method.rawValue) \(request.head.uri) \(request.body.readableBytes)")
        }
        let listeners = [
            ListenerSpec(host: "127.0.0.1", port: 0, tls: ListenerTLS(certificates: [TLSCertificateSpec(certificateFile: server.certificate, keyFile: server.key)])),
            ListenerSpec(host: "127.0.0.1", port: 0, http2: true),
        ]
        let plan = TestPlans.plan(
            listeners: listeners,
            upstreams: [UpstreamSpec(name: "app", servers: [UpstreamServer(host: "127.0.0.1", port: upstream.port)])],
            routes: routes, settings: settings)
        let gateway = try await TestGateway(plan: plan)
        return Setup(certificates: certificates, upstream: upstream, gateway: gateway, group: group)
    }

    @Test func h2RequestsGoThroughTheSamePipeline() async throws {
        let setup = try await Self.start()
        let client = try await setup.client()

        let health = try await client.request(path: "/health", authority: "api.example.test")
        #expect(health.status == 200)
        #expect(health.body == "ok")
        #expect(health.header("x-request-id")?.isEmpty == false)
        #expect(health.header("strict-transport-security") == "max-age=31536000")
        #expect(health.header("connection") == nil)

        let missing = try await client.request(path: "/nope", authority: "api.example.test")
        #expect(missing.status == 404)
        #expect(missing.header("content-type") == "application/json")
        #expect(missing.body.contains(#""code":"route_not_found""#))
        #expect(missing.body.contains(missing.header("x-request-id") ?? "missing"))

        let proxied = try await client.request(path: "/api/items?page=2", authority: "api.example.test:443")
        #expect(proxied.status == 200)
        #expect(proxied.body == "GET /api/items?page=2 0")
        #expect(proxied.header("x-seen-host") == "api.example.test:443")
        #expect(proxied.header("x-seen-proto") == "https")
        #expect(proxied.header("x-request-id")?.isEmpty == false)

        let traversal = try await client.request(path: "/api/%2e%2e/secret", authority: "api.example.test")
        #expect(traversal.status == 400)

        await client.close()
        try await setup.stop()
    }

    @Test func manyConcurrentStreamsAndLargeBodiesOnOneConnection() async throws {
        let setup = try await Self.start()
        let client = try await setup.client()
        let large = String(repeating: "0123456789abcdef", count: 64 * 1024)  // 1 MiB, beyond the default 64 KiB window
        try await withThrowingTaskGroup(of: (Int, H2TestClient.Response).self) { group in
            for i in 0..<40 {
                group.addTask {
                    let body = i % 8 == 0 ? large : "item \(i)"
                    return (i, try await client.request(method: "POST", path: "/api/upload/\(i)", authority: "api.example.test", body: body))
                }
            }
            var seen = 0
            for try await (i, response) in group {
                seen += 1
                let length = i % 8 == 0 ? large.utf8.count : "item \(i)".utf8.count
                #expect(response.status == 200)
                #expect(response.body == "POST /api/upload/\(i) \(length)")
            }
            #expect(seen == 40)
        }
        #expect(setup.upstream.requestCount == 40)
        await client.close()
        try await setup.stop()
    }

    @Test func h2cWithPriorKnowledgeAndHTTP11ShareTheCleartextListener() async throws {
        let setup = try await Self.start()
        let client = try await H2TestClient.connect(port: setup.h2cPort, group: setup.group)
        let response = try await client.request(path: "/api/h2c", authority: "api.example.test", scheme: "http")
        #expect(response.status == 200)
        #expect(response.body == "GET /api/h2c 0")
        #expect(response.header("x-seen-proto") == "http")
        #expect(response.header("strict-transport-security") == nil)
        await client.close()

        let http1 = try await RawClient.send(["GET /health HTTP/1.1\r\nHost: a\r\n\r\n"], port: setup.h2cPort, group: setup.group)
        #expect(http1.responses.first?.status == 200)
        #expect(http1.responses.first?.body == "ok")
        try await setup.stop()
    }

    @Test(arguments: [("connection", "keep-alive"), ("transfer-encoding", "chunked"), ("upgrade", "websocket"), ("keep-alive", "timeout=5")])
    func connectionSpecificHeaderIsAStreamError(name: String, value: String) async throws {
        let setup = try await Self.start()
        let client = try await H2TestClient.connect(
            port: setup.tlsPort, group: setup.group,
            tls: try TLSTestClient.configuration(trusting: setup.certificates.caCertificate), serverName: "api.example.test",
            validateHeaders: false)
        let refused = try await client.request(path: "/api/x", authority: "api.example.test", headers: [(name, value)])
        #expect(refused.resetCode == .protocolError)
        #expect(refused.status == nil)
        // A stream error, not a connection error: the next stream is served.
        let next = try await client.request(path: "/health", authority: "api.example.test")
        #expect(next.status == 200)
        #expect(setup.upstream.requestCount == 0)
        await client.close()
        try await setup.stop()
    }

    @Test func rapidResetClosesTheAbusiveConnectionOnly() async throws {
        let setup = try await Self.start { $0.http2.maxResets = 50 }
        // Below the limit: resets are ordinary client behaviour and the connection goes on.
        let polite = try await setup.client()
        try await polite.resetBurst(count: 40, path: "/health")
        let stillServed = try await polite.request(path: "/health", authority: "api.example.test")
        #expect(stillServed.status == 200)
        #expect(polite.channel.isActive)

        // Beyond it: the server sends GOAWAY (ENHANCE_YOUR_CALM) and closes the connection.
        let abuser = try await setup.client()
        try await abuser.resetBurst(count: 500, path: "/health")
        try await Self.waitForClose(abuser.channel)

        let bystander = try await setup.client()
        let response = try await bystander.request(path: "/health", authority: "api.example.test")
        #expect(response.status == 200)
        let politeAgain = try await polite.request(path: "/health", authority: "api.example.test")
        #expect(politeAgain.status == 200)
        await polite.close()
        await bystander.close()
        try await setup.stop()
    }

    @Test func idleHTTP2ConnectionIsClosedAfterKeepaliveIdle() async throws {
        let setup = try await Self.start { $0.timeouts.keepaliveIdle = .milliseconds(300) }
        let client = try await H2TestClient.connect(port: setup.h2cPort, group: setup.group)
        let response = try await client.request(path: "/health", scheme: "http")
        #expect(response.status == 200)
        try await Self.waitForClose(client.channel, within: .seconds(5))
        try await setup.stop()
    }

    @Test func curlSpeaksH2OverTLSAndH2c() async throws {
        let setup = try await Self.start()
        let secure = try await Curl.run([
            "--http2", "--cacert", setup.certificates.caCertificate,
            "--resolve", "api.example.test:\(setup.tlsPort):127.0.0.1",
            "https://api.example.test:\(setup.tlsPort)/api/curl",
        ])
        #expect(secure.head.hasPrefix("HTTP/2 200"), "\(secure.head)")
        #expect(secure.head.lowercased().contains("strict-transport-security: max-age=31536000"))
        #expect(secure.body == "GET /api/curl 0")
        let cleartext = try await Curl.run(["--http2-prior-knowledge", "http://127.0.0.1:\(setup.h2cPort)/health"])
        #expect(cleartext.head.hasPrefix("HTTP/2 200"), "\(cleartext.head)")
        #expect(!cleartext.head.lowercased().contains("strict-transport-security"))
        try await setup.stop()
    }

    /// Waits (bounded) for the server to close `channel`.
    static func waitForClose(_ channel: any Channel, within timeout: TimeAmount = .seconds(10)) async throws {
        let deadline = channel.eventLoop.makePromise(of: Void.self)
        let timer = channel.eventLoop.scheduleTask(in: timeout) { deadline.fail(ChannelError.connectTimeout(timeout)) }
        channel.closeFuture.cascade(to: deadline)
        defer { timer.cancel() }
        try await deadline.futureResult.get()
    }
}
