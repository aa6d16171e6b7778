@testable import GatewayServer
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// Every request the gateway served is freed once it is answered, proxied or answered by the
/// gateway itself. A request and its upstream exchange
/// refer to each other, and a cycle left unbroken kept each request (about 2 KiB) forever.
@Suite("Request lifetime") struct RequestLifetimeTests {
    static let config = """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0;
        upstream app { server 127.0.0.1:${UPSTREAM}; }
        route /gateway { respond 200 "made here"; }
        route /* { proxy app; }
        """

    /// Polls (bounded: 200 × 25 ms) until no request is held in memory.
    static func drained(_ gateway: TestGateway) async -> Int {
        var held = await gateway.server.requestsInMemory()
        for _ in 0..<200 where held != 0 {
            try? await Task.sleep(for: .milliseconds(25))
            held = await gateway.server.requestsInMemory()
        }
        return held
    }

    @Test func servedRequestsAreFreed() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group)
        let gateway = try await TestGateway(plan: try RateLimitHarness.plan(Self.config, upstream: upstream.port))
        let client = try await KeepAliveClient.connect(port: gateway.port, group: group)
        for i in 0..<100 {
            let path = i.isMultiple(of: 4) ? "/gateway" : "/proxied/\(i)"
            #expect(try await client.request(path: path).status == 200)
        }
        await client.close()
        #expect(await Self.drained(gateway) == 0)
        #expect(upstream.requestCount == 75)
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
    }
}
