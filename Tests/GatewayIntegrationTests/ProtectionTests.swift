import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@Suite("Protection and lifecycle") struct ProtectionTests {
    @Test func drainLetsInFlightRequestsFinish() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let arrived = group.next().makePromise(of: Void.self)
        let release = group.next().makePromise(of: Void.self)
        let upstream = try await TestUpstream(group: group) { _ in
            arrived.succeed(())
            return .init(body: "late", after: release.futureResult)
        }
        let gateway = try await TestGateway(plan: TestPlans.proxy(to: [upstream.port]))
        let pending = Task {
            try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group, timeout: .seconds(10))
        }
        try await arrived.futureResult.get()
        // Shutdown begins while the request is at the upstream: no new connections, but the
        // in-flight request completes, with `Connection: close`.
        await gateway.server.stopAccepting()
        let refused = await #expect(throws: (any Error).self) {
            try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: gateway.port).get()
        }
        _ = refused
        release.succeed(())
        let result = try await pending.value
        #expect(result.responses.first?.status == 200)
        #expect(result.responses.first?.body == "late")
        #expect(result.responses.first?.header("Connection") == "close")
        await gateway.stop(drainTimeout: .seconds(10))
        try await upstream.stop()
        try await group.shutdownGracefully()
    }
}
