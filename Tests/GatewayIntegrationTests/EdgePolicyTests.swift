import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// CORS, security headers, size limits and IP rules through the real gateway, configured in
/// `gateway.conf` syntax.
@Suite("Edge policies") struct EdgePolicyTests {
    static let config = """
        limits { header_field 1k; }
        security_headers { set Permissions-Policy "camera=()"; remove X-Debug; }
        cors web {
            origins https://app.example.com https://*.example.org;
            methods PUT DELETE;
            allow_headers Authorization Content-Type;
            expose_headers X-Total;
            credentials on;
        }
        route /api/* { proxy app; cors web; }
        route /small/* { proxy app; limits { body 100; } }
        route /private/* { proxy app; deny 127.0.0.0/8; }
        route /office/* { proxy app; allow 10.0.0.0/8; }

        """

    static func send(_ raw: String, to gateway: TestGateway, group: any EventLoopGroup, waitForClose: Bool = false) async throws -> RawClient.Response {
        let result = try await RawClient.send([raw], port: gateway.port, group: group, waitForClose: waitForClose, timeout: .seconds(5))
        return try #require(result.responses.first)
    }

    @Test func preflightIsAnsweredWithoutTheUpstream() async throws {
        try await withConfiguredGateway({ _ in Self.config }) { upstream, gateway, group in
            let response = try await Self.send(
                "OPTIONS /api/items HTTP/1.1\r\nHost: a\r\nOrigin: https://x.example.org\r\nAccess-Control-Request-Method: PUT\r\n"
                    + "Access-Control-Request-Headers: content-type\r\n\r\n", to: gateway, group: group)
            #expect(response.status == 204)
            #expect(response.header("Access-Control-Allow-Origin") == "https://x.example.org")
            #expect(response.header("Access-Control-Allow-Credentials") == "true")
            #expect(response.header("Access-Control-Allow-Methods") == "DELETE, PUT")
            #expect(response.header("Access-Control-Allow-Headers") == "Authorization, Content-Type")
            #expect(response.head.headers["Vary"].contains("Origin"))
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            let refused = try await Self.send(
                "OPTIONS /api/items HTTP/1.1\r\nHost: a\r\nOrigin: https://example.org.evil.net\r\nAccess-Control-Request-Method: PUT\r\n\r\n",
                to: gateway, group: group)
            #expect(refused.status == 403)
            #expect(refused.body.contains("cors_rejected"))
            #expect(refused.header("Access-Control-Allow-Origin") == nil)
            #expect(upstream.requestCount == 0)
        }
    }

    @Test func corsHeadersReplaceTheUpstreamsOnActualRequests() async throws {
        let responder: TestUpstream.Responder = { _ in
            .init(headers: [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "*"), ("X-Total", "9")], body: "ok")
        }
        try await withConfiguredGateway(upstream: responder, { _ in Self.config }) { upstream, gateway, group in
            let allowed = try await Self.send("GET /api/items HTTP/1.1\r\nHost: a\r\nOrigin: https://app.example.com\r\n\r\n", to: gateway, group: group)
            #expect(allowed.status == 200)
            #expect(allowed.head.headers["Access-Control-Allow-Origin"] == ["https://app.example.com"])
            #expect(allowed.header("Access-Control-Allow-Methods") == nil)
            #expect(allowed.header("Access-Control-Expose-Headers") == "X-Total")
            #expect(allowed.header("Vary") == "Origin")
            let unknown = try await Self.send("GET /api/items HTTP/1.1\r\nHost: a\r\nOrigin: null\r\n\r\n", to: gateway, group: group)
            #expect(unknown.status == 200)
            #expect(!unknown.head.headers.contains { $0.name.lowercased().hasPrefix("access-control-") })
            #expect(unknown.header("Vary") == "Origin")
        }
    }

    @Test func securityHeadersOnUpstreamResponsesAndOn404() async throws {
        let responder: TestUpstream.Responder = { _ in
            .init(headers: [("X-Frame-Options", "SAMEORIGIN"), ("X-Powered-By", "PHP/8"), ("Server", "nginx/1.25"), ("X-Debug", "1")], body: "ok")
        }
        try await withConfiguredGateway(upstream: responder, { _ in Self.config }) { upstream, gateway, group in
            let proxied = try await Self.send("GET /api/items HTTP/1.1\r\nHost: a\r\n\r\n", to: gateway, group: group)
            #expect(proxied.status == 200)
            #expect(proxied.header("X-Content-Type-Options") == "nosniff")
            #expect(proxied.header("X-Frame-Options") == "SAMEORIGIN")
            #expect(proxied.header("Permissions-Policy") == "camera=()")
            #expect(proxied.header("Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'")
            #expect(proxied.header("X-Powered-By") == nil)
            #expect(proxied.header("X-Debug") == nil)
            #expect(proxied.header("Server") == "gateway")
            let notFound = try await Self.send("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n", to: gateway, group: group)
            #expect(notFound.status == 404)
            #expect(notFound.header("X-Content-Type-Options") == "nosniff")
            #expect(notFound.header("X-Frame-Options") == "DENY")
            #expect(notFound.header("Permissions-Policy") == "camera=()")
            let malformed = try await Self.send("GET / HTTP/1.1\r\n\r\n", to: gateway, group: group, waitForClose: true)
            #expect(malformed.status == 400)
            #expect(malformed.header("Referrer-Policy") == "no-referrer")
        }
    }

    @Test func declaredBodyOverTheLimitIs413BeforeTheBody() async throws {
        try await withConfiguredGateway({ _ in Self.config }) { upstream, gateway, group in
            let exact = try await Self.send(
                "POST /small/x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + String(repeating: "a", count: 100), to: gateway, group: group)
            #expect(exact.status == 200)
            let over = try await Self.send("POST /small/x HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", to: gateway, group: group, waitForClose: true)
            #expect(over.status == 413)
            #expect(over.body.contains("payload_too_large"))
            #expect(over.header("X-Content-Type-Options") == "nosniff")
            // The global default (1 MiB) applies to routes without their own limit.
            let big = try await Self.send("POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", to: gateway, group: group, waitForClose: true)
            #expect(big.status == 413)
            #expect(upstream.requestCount == 1)
        }
    }

    @Test func expectContinueOverTheLimitIs413InsteadOf100() async throws {
        try await withConfiguredGateway({ _ in Self.config }) { upstream, gateway, group in
            let result = try await RawClient.send(
                ["POST /small/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"], port: gateway.port, group: group,
                waitForClose: true, timeout: .seconds(5))
            #expect(result.responses.map(\.status) == [413])
            #expect(result.closed)
            #expect(upstream.connectionCount == 0)
        }
    }

    @Test func chunkedBodyOverTheLimitIsCutOffAt413() async throws {
        try await withConfiguredGateway({ _ in Self.config }) { upstream, gateway, group in
            let chunk = "3c\r\n" + String(repeating: "x", count: 60) + "\r\n"
            let result = try await RawClient.send(
                ["POST /small/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", chunk, chunk, chunk + "0\r\n\r\n"], port: gateway.port, group: group,
                waitForClose: true, timeout: .seconds(5))
            #expect(result.responses.map(\.status) == [413])
            #expect(result.closed)
            // The upstream never received a complete request, and at most the bytes before the limit.
            #expect(upstream.requestCount == 0)
            #expect(upstream.bodyBytesReceived <= 100)
            let within = try await RawClient.send(
                ["POST /small/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", chunk + "0\r\n\r\n"], port: gateway.port, group: group,
                timeout: .seconds(5))
            #expect(within.responses.first?.status == 200)
            #expect(upstream.requests.last?.body.readableBytes == 60)
        }
    }

    @Test func headLimitsAnswer431And414BeforeRouting() async throws {
        try await withConfiguredGateway({ _ in Self.config }) { upstream, gateway, group in
            let bigField = try await Self.send(
                "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "b", count: 1100))\r\n\r\n", to: gateway, group: group, waitForClose: true)
            #expect(bigField.status == 431)
            #expect(bigField.header("X-Content-Type-Options") == "nosniff")
            let manyFields = (0..<101).map { "X-\($0): v\r\n" }.joined()
            let many = try await Self.send("GET /api/x HTTP/1.1\r\nHost: a\r\n\(manyFields)\r\n", to: gateway, group: group, waitForClose: true)
            #expect(many.status == 431)
            let longTarget = try await Self.send(
                "GET /api/\(String(repeating: "t", count: 8200)) HTTP/1.1\r\nHost: a\r\n\r\n", to: gateway, group: group, waitForClose: true)
            #expect(longTarget.status == 414)
            let huge = try await Self.send(
                "GET /api/x HTTP/1.1\r\nHost: a\r\nX-Huge: \(String(repeating: "h", count: 200_000))\r\n\r\n", to: gateway, group: group, waitForClose: true)
            #expect(huge.status == 431)
            #expect(upstream.requestCount == 0)
        }
    }

    @Test func ipRulesRefuseWith403() async throws {
        try await withConfiguredGateway({ _ in Self.config }) { upstream, gateway, group in
            let denied = try await Self.send("GET /private/x HTTP/1.1\r\nHost: a\r\n\r\n", to: gateway, group: group)
            #expect(denied.status == 403)
            #expect(denied.body.contains("ip_denied"))
            let notListed = try await Self.send("GET /office/x HTTP/1.1\r\nHost: a\r\n\r\n", to: gateway, group: group)
            #expect(notListed.status == 403)
            #expect(upstream.requestCount == 0)
            let open = try await Self.send("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n", to: gateway, group: group)
            #expect(open.status == 200)
        }
    }
}
