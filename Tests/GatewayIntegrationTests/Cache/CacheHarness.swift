import GatewayConfig
import GatewayCore
import GatewayPolicies
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// A real gateway with a `cache c { … }` in front of a counting test upstream.
struct CacheHarness {
    let group: MultiThreadedEventLoopGroup
    let upstream: TestUpstream
    let gateway: TestGateway
    let cache: ResponseCache

    static func start(
        cache: String = "max_size 1m; max_object 64k;",
        route: String = "",
        top: String = "",
        upstream responder: @escaping TestUpstream.Responder
    ) async throws -> CacheHarness {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let upstream = try await TestUpstream(group: group, responder: responder)
        do {
            let plan = try ConfigText.plan(
                ConfigText.base(upstream: upstream.port) + top + "cache c { \(cache) }\nroute /* { proxy app; cache c; \(route) }\n")
            let gateway = try await TestGateway(plan: plan)
            return CacheHarness(group: group, upstream: upstream, gateway: gateway, cache: plan.caches["c"] as! ResponseCache)
        } catch {
            try await upstream.stop()
            try await group.shutdownGracefully()
            throw error
        }
    }

    /// One request on its own connection.
    func get(_ path: String, method: String = "GET", headers: [String] = []) async throws -> RawClient.Response {
        let text = "\(method) \(path) HTTP/1.1\r\nHost: cache.test\r\n" + headers.map { $0 + "\r\n" }.joined() + "Connection: close\r\n\r\n"
        let methods: [HTTPMethod] = [HTTPMethod(rawValue: method)]
        let result = try await RawClient.send([text], port: gateway.port, group: group, methods: methods, timeout: .seconds(60))
        guard let response = result.responses.first else {
            Issue.record("no response to \(method) \(path)")
            throw NoResponse()
        }
        return response
    }

    struct NoResponse: Error {}

    func stop(upstreamStopped: Bool = false) async throws {
        await gateway.stop()
        if !upstreamStopped { try await upstream.stop() }
        try await group.shutdownGracefully()
    }

    /// Runs `body`, stopping everything afterwards, also when it throws.
    static func run(
        cache: String = "max_size 1m; max_object 64k;", route: String = "", top: String = "",
        upstream responder: @escaping TestUpstream.Responder,
        _ body: (CacheHarness) async throws -> Void
    ) async throws {
        let harness = try await start(cache: cache, route: route, top: top, upstream: responder)
        do {
            try await body(harness)
        } catch {
            try await harness.stop()
            throw error
        }
        try await harness.stop()
    }
}
