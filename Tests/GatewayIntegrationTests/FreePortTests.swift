import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// Ports handed to child processes come from below the ephemeral range, free when picked.
@Suite("Free ports for child processes") struct FreePortTests {
    @Test func portsAreBelowTheEphemeralRangeAndFree() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ephemeral = FreePort.ephemeralRangeStart()
        try #require(ephemeral > FreePort.lowest + 1000, "ephemeral range starts at \(ephemeral)")
        // A listener on port 0 gets its port from the ephemeral range, which picks never use.
        let listener = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        #expect((listener.localAddress?.port ?? 0) >= ephemeral)
        for _ in 0..<20 {
            let port = try await FreePort.pick(group: group)
            #expect((FreePort.lowest..<ephemeral).contains(port))
            let bound = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: port).get()
            try await bound.close()
        }
        try await listener.close()
        try await group.shutdownGracefully()
    }
}
