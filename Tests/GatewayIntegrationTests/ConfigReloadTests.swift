import GatewayCore
import GatewayServer
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Hot reload through the real server and real files: plans swapped under continuous keep-alive
/// traffic, invalid files refused with their location, listeners added and removed.
@Suite("Configuration reload") struct ConfigReloadTests {
    static func config(version: String, upstream: Int, extraListener: Bool = false, keepalive: Int = 8) -> String {
        """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0;
        \(extraListener ? "listen localhost:0;" : "")
        upstream app {
            server 127.0.0.1:\(upstream);
            keepalive \(keepalive);
        }
        route /version { respond 200 "\(version)"; }
        route /* { proxy app; }
        """
    }

    /// Line 4 names an upstream that does not exist.
    static let invalid = """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0;
        route /* { proxy nowhere; }
        """

    @Test func reloadUnderKeepAliveLoadFailsNoRequest() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let upstream = try await TestUpstream(group: group) { _ in .init(body: "up") }
        let file = try ConfigFile(Self.config(version: "a", upstream: upstream.port))
        let gateway = try await TestGateway(file: file)
        let stop = NIOLockedValueBox(false)
        let clients = (0..<3).map { _ in
            Task { () -> (ok: Int, failed: [String]) in
                var ok = 0
                var failed: [String] = []
                do {
                    let client = try await KeepAliveClient.connect(port: gateway.port, group: group)
                    while !stop.withLockedValue({ $0 }) {
                        let response = try await client.request(path: "/items")
                        if response.status == 200 && response.body == "up" { ok += 1 } else { failed.append("\(response.status) \(response.body)") }
                        // Paced (back to back, but yielding a millisecond), so the suites running
                        // beside this one on a small machine keep their share of it.
                        try await Task.sleep(nanoseconds: 1_000_000)
                    }
                    await client.close()
                } catch {
                    failed.append("\(error)")
                }
                return (ok, failed)
            }
        }
        let probe = try await KeepAliveClient.connect(port: gateway.port, group: group)
        var expectedGeneration = 1
        var refused = 0
        for round in 0..<21 {
            switch round % 3 {
            case 0, 1:
                let version = round % 3 == 0 ? "b" : "a"
                try file.write(Self.config(version: version, upstream: upstream.port, keepalive: round % 3 == 0 ? 16 : 8))
                let outcome = await gateway.server.reload()
                expectedGeneration += 1
                #expect(outcome.succeeded)
                #expect(outcome.generation == expectedGeneration)
                // The next request on an old connection already sees the new plan.
                #expect(try await probe.request(path: "/version").body == version)
            default:
                try file.write(Self.invalid)
                let outcome = await gateway.server.reload()
                refused += 1
                guard case .refused(let generation, let report) = outcome else {
                    Issue.record("an invalid file was installed")
                    continue
                }
                #expect(generation == expectedGeneration)
                #expect(report.contains("\(file.path):4:"))
                #expect(report.contains("nowhere"))
            }
            // Let the clients send a few requests on this plan before the next reload.
            let before = upstream.requestCount
            for _ in 0..<200 where upstream.requestCount < before + 6 { try await Task.sleep(nanoseconds: 5_000_000) }
        }
        stop.withLockedValue { $0 = true }
        var total = 0
        for client in clients {
            let (ok, failed) = await client.value
            #expect(failed.isEmpty)
            total += ok
        }
        #expect(total > 0)
        let status = gateway.server.reloadStatus
        #expect(status.generation == expectedGeneration)
        #expect(status.succeeded == 14)
        #expect(status.failed == refused)
        // The last round was the invalid file: the record keeps its errors until a reload succeeds.
        #expect(status.lastError?.contains("nowhere") == true)
        await probe.close()
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        file.remove()
    }

    @Test func reloadAddsAndRemovesListeners() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group) { _ in .init(body: "up") }
        let file = try ConfigFile(Self.config(version: "one", upstream: upstream.port))
        let gateway = try await TestGateway(file: file)
        #expect(gateway.server.localAddresses.count == 1)
        let kept = try await KeepAliveClient.connect(port: gateway.port, group: group)

        try file.write(Self.config(version: "two", upstream: upstream.port, extraListener: true))
        #expect(await gateway.server.reload().succeeded)
        let ports = gateway.server.localAddresses.compactMap(\.port)
        #expect(ports.count == 2)
        #expect(ports.first == gateway.port)
        let added = try #require(ports.last)
        let onAdded = try await KeepAliveClient.connect(port: added, group: group)
        #expect(try await onAdded.request(path: "/version").body == "two")

        try file.write(Self.config(version: "three", upstream: upstream.port))
        #expect(await gateway.server.reload().succeeded)
        #expect(gateway.server.localAddresses.compactMap(\.port) == [gateway.port])
        // The removed listener accepts nothing new; its open connection finishes its work.
        await #expect(throws: (any Error).self) { try await KeepAliveClient.connect(port: added, group: group) }
        #expect(try await onAdded.request(path: "/version").body == "three")
        #expect(try await kept.request(path: "/version").body == "three")
        await onAdded.close()
        await kept.close()
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        file.remove()
    }

    @Test func unchangedUpstreamKeepsItsPoolWhenLinesMove() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group) { _ in .init(body: "up") }
        let text = Self.config(version: "a", upstream: upstream.port)
        let file = try ConfigFile(text)
        let gateway = try await TestGateway(file: file)
        let client = try await KeepAliveClient.connect(port: gateway.port, group: group)
        #expect(try await client.request(path: "/x").status == 200)
        try file.write("# comments move every line\n\n" + text)
        #expect(await gateway.server.reload().succeeded)
        #expect(try await client.request(path: "/x").status == 200)
        // The pooled keep-alive connection to the upstream was reused, not reopened.
        #expect(upstream.connectionCount == 1)
        await client.close()
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        file.remove()
    }
}
