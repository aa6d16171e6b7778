import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@Suite("Gateway errors") struct ErrorResponseTests {
    @Test func connectionRefusedIs502JSON() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // Bound but not listening: refuses, and no test running beside this one can take it.
        let dead = try RefusingPort()
        let gateway = try await TestGateway(plan: TestPlans.proxy(to: [dead.port]))
        let result = try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
        let response = try #require(result.responses.first)
        #expect(response.status == 502)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.body.contains(#""code":"bad_gateway""#))
        #expect(response.body.contains(response.header("X-Request-ID") ?? "missing"))
        await gateway.stop()
        try await group.shutdownGracefully()
        withExtendedLifetime(dead) {}
    }

    @Test func firstByteTimeoutIs504() async throws {
        try await withProxy(upstream: { _ in .init(hang: true) }, configure: { $0.firstByteTimeout = .milliseconds(200) }) {
            upstream, gateway, group in
            let result = try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
            #expect(result.responses.first?.status == 504)
            #expect(result.responses.first?.body.contains("gateway_timeout") == true)
        }
    }

    @Test func retriesAnotherServerWhenConnectFails() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dead = try RefusingPort()
        let upstream = try await TestUpstream(group: group)
        let gateway = try await TestGateway(plan: TestPlans.proxy(to: [dead.port, upstream.port]))
        for _ in 0..<4 {
            let result = try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
            #expect(result.responses.first?.status == 200)
        }
        #expect(upstream.requestCount == 4)
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        withExtendedLifetime(dead) {}
    }

    @Test func unknownRouteIs404AndWrongMethodIs405() async throws {
        let routes = [
            Route(path: .exact("/only-get"), methods: ["GET", "HEAD"], action: .respond(StaticResponse(status: 200, body: "x"))),
        ]
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let plan = GatewayPlan(
            settings: ServerSettings(workerThreads: 1, accessLog: .off),
            listeners: [ListenerSpec(host: "127.0.0.1", port: 0)],
            upstreams: [:],
            routes: RouteTable(routes: routes))
        let gateway = try await TestGateway(plan: plan)
        let notFound = try await RawClient.send(["GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
        #expect(notFound.responses.first?.status == 404)
        #expect(notFound.responses.first?.body.contains("route_not_found") == true)
        let wrong = try await RawClient.send(["POST /only-get HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"], port: gateway.port, group: group)
        #expect(wrong.responses.first?.status == 405)
        #expect(wrong.responses.first?.header("Allow") == "GET, HEAD")
        let trace = try await RawClient.send(["TRACE /only-get HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
        #expect(trace.responses.first?.status == 405)
        #expect(trace.responses.first?.header("Allow")?.contains("GET") == true)
        #expect(trace.responses.first?.header("Allow")?.contains("TRACE") == false)
        await gateway.stop()
        try await group.shutdownGracefully()
    }
}
