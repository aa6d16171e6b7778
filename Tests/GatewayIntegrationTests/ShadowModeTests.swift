import Foundation
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// `mode shadow` through the real gateway: a request every policy would refuse reaches the
/// upstream, and each would-be refusal is in the log, the access log and `/metrics`.
@Suite("Shadow mode") struct ShadowModeTests {
    static let routes = """
        jwt idp {
            issuer https://idp.example.com;
            algorithms HS256;
            secret 0123456789abcdef0123456789abcdef0123456789abcdef;
            forward_claim sub X-User;
            mode shadow;
        }
        route /jwt/* { proxy app; auth jwt idp; }
        route /cors/* { proxy app; cors { origins https://app.example.com; mode shadow; } }
        route /ip/* { proxy app; deny 127.0.0.0/8; ip_rules_mode shadow; }
        route /small/* { proxy app; limits { body 100; mode shadow; } }
        route /enforced/* { proxy app; deny 127.0.0.0/8; }

        """

    /// Runs `body` against a gateway with the routes above, a captured log and an access log
    /// file, whose lines are handed over after the gateway stopped (and flushed it).
    static func withShadowGateway(
        _ body: (TestUpstream, TestGateway, any EventLoopGroup) async throws -> Void,
        then inspect: (CapturedLog, [String]) throws -> Void
    ) async throws {
        let directory = NSTemporaryDirectory() + "shadow-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let accessLog = directory + "/access.log"
        let log = CapturedLog()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group) { _ in .init(body: "ok") }
        let gateway: TestGateway
        do {
            let text = "worker_threads 1;\naccess_log \"\(accessLog)\";\nlisten 127.0.0.1:0;\nupstream app { server 127.0.0.1:\(upstream.port); }\n" + routes
            gateway = try await TestGateway(plan: ConfigText.plan(text), logger: log.logger)
        } catch {
            try await upstream.stop()
            try await group.shutdownGracefully()
            throw error
        }
        try await runThenStop(upstream, gateway, group) { upstream, gateway, group in try await body(upstream, gateway, group) }
        let lines = try String(contentsOfFile: accessLog, encoding: .utf8).split(separator: "\n").map(String.init)
        try inspect(log, lines)
    }

    static func send(_ raw: [String], to gateway: TestGateway, group: any EventLoopGroup) async throws -> RawClient.Response {
        let result = try await RawClient.send(raw, port: gateway.port, group: group, timeout: .seconds(5))
        return try #require(result.responses.first)
    }

    @Test func refusalsReachTheUpstreamAndAreLoggedAndCounted() async throws {
        var requestIDs: [String: String] = [:]
        try await Self.withShadowGateway { upstream, gateway, group in
            let noToken = try await Self.send(["GET /jwt/a HTTP/1.1\r\nHost: a\r\nX-User: admin\r\n\r\n"], to: gateway, group: group)
            let badToken = try await Self.send(["GET /jwt/b HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer not-a-jwt\r\n\r\n"], to: gateway, group: group)
            let preflight = try await Self.send(
                ["OPTIONS /cors/c HTTP/1.1\r\nHost: a\r\nOrigin: https://evil.example.net\r\nAccess-Control-Request-Method: PUT\r\n\r\n"],
                to: gateway, group: group)
            let address = try await Self.send(["GET /ip/d HTTP/1.1\r\nHost: a\r\n\r\n"], to: gateway, group: group)
            let enforced = try await Self.send(["GET /enforced/e HTTP/1.1\r\nHost: a\r\n\r\n"], to: gateway, group: group)
            #expect([noToken, badToken, preflight, address].map(\.status) == [200, 200, 200, 200])
            #expect(enforced.status == 403)
            #expect(!preflight.head.headers.contains { $0.name.lowercased().hasPrefix("access-control-") })
            requestIDs["jwt"] = badToken.header("X-Request-ID")
            requestIDs["ip"] = address.header("X-Request-ID")

            let seen = upstream.requests
            #expect(seen.map(\.head.uri) == ["/jwt/a", "/jwt/b", "/cors/c", "/ip/d"])
            // A failed token forwards no claim, and the client's copy of the claim header is gone.
            #expect(seen.first?.head.headers["X-User"].isEmpty == true)
            #expect(seen.dropFirst(2).first?.head.method == .OPTIONS)

            let samples = try PrometheusParser.parse(await gateway.server.metricsText())
            let shadow = samples.filter { $0.name == "gateway_policy_shadow_rejections_total" }
                .map { "\($0.labels["policy"] ?? "")=\($0.labels["error"] ?? "")/\($0.labels["reason"] ?? ""):\(Int($0.value))" }
            #expect(
                shadow.sorted() == [
                    "cors=cors_rejected/origin_not_allowed:1", "ip_rules=ip_denied/:1", "jwt=invalid_token/malformed:1", "jwt=unauthorized/:1",
                ])
            let refused = samples.filter { $0.name == "gateway_policy_rejections_total" }
            #expect(refused.map { $0.labels["policy"] } == ["ip_rules"])
        } then: { log, accessLines in
            let lines = log.messages.filter { $0.contains("shadow policy would have refused the request") }
            #expect(lines.count == 4)
            let jwt = try #require(requestIDs["jwt"])
            #expect(lines.contains { $0.contains("request_id=\(jwt)") && $0.contains("policy=jwt") && $0.contains("reason=malformed") })
            let ip = try #require(requestIDs["ip"])
            #expect(lines.contains { $0.contains("request_id=\(ip)") && $0.contains("policy=ip_rules") && $0.contains("error=ip_denied") })
            #expect(accessLines.contains { $0.contains(#""request_id":"\#(jwt)""#) && $0.contains(#""shadow":"jwt=invalid_token/malformed""#) })
            #expect(accessLines.contains { $0.contains(#""shadow":"cors=cors_rejected/origin_not_allowed""#) && $0.contains(#""status":200"#) })
            #expect(accessLines.filter { $0.contains(#""shadow":"#) }.count == 4)
        }
    }

    @Test func bodiesOverTheLimitAreStreamedWhole() async throws {
        try await Self.withShadowGateway { upstream, gateway, group in
            let declared = try await Self.send(
                ["POST /small/a HTTP/1.1\r\nHost: a\r\nContent-Length: 150\r\n\r\n" + String(repeating: "d", count: 150)], to: gateway, group: group)
            let chunk = "3c\r\n" + String(repeating: "x", count: 60) + "\r\n"
            let streamed = try await Self.send(
                ["POST /small/b HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", chunk, chunk, chunk + "0\r\n\r\n"], to: gateway, group: group)
            let within = try await Self.send(
                ["POST /small/c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", chunk + "0\r\n\r\n"], to: gateway, group: group)
            #expect([declared, streamed, within].map(\.status) == [200, 200, 200])
            #expect(upstream.requests.map(\.body.readableBytes) == [150, 180, 60])
            let samples = try PrometheusParser.parse(await gateway.server.metricsText())
            let shadow = samples.filter { $0.name == "gateway_policy_shadow_rejections_total" }
            #expect(shadow.map { "\($0.labels["policy"] ?? "")=\($0.labels["error"] ?? ""):\(Int($0.value))" } == ["limits=payload_too_large:2"])
        } then: { _, accessLines in
            #expect(accessLines.filter { $0.contains(#""shadow":"limits=payload_too_large""#) }.count == 2)
        }
    }
}
