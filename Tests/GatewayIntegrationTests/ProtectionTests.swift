import Foundation
import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@Suite("Protection and lifecycle") struct ProtectionTests {
    /// Hundreds of sockets trickling a request head never stop a normal client from being served,
    /// and each of them is answered 408 once `request_head` passes.
    @Test func slowlorisDoesNotStarveOthers() async throws {
        try await withProxy(settings: { $0.timeouts.requestHead = .milliseconds(500) }) { upstream, gateway, group in
            var slow: [any Channel] = []
            for _ in 0..<200 {
                let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: gateway.port).get()
                // On a loaded machine the gateway may already have timed out an early socket.
                try? await channel.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: "))
                slow.append(channel)
            }
            let result = try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
            #expect(result.responses.first?.status == 200)
            // Every slow connection gets closed by the gateway (bounded wait on each).
            for channel in slow {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await channel.closeFuture.get() }
                    tasks.addTask {
                        try await Task.sleep(nanoseconds: 10_000_000_000)
                        throw CancellationError()
                    }
                    try await tasks.next()
                    tasks.cancelAll()
                }
            }
            #expect(upstream.requestCount == 1)
        }
    }

    @Test func slowHeadGets408() async throws {
        // request_head also bounds the wait for the first byte after accept (then the close is
        // silent): long enough that a loaded machine delivers the partial head within it.
        try await withProxy(settings: { $0.timeouts.requestHead = .seconds(2) }) { upstream, gateway, group in
            let result = try await RawClient.send(
                ["GET / HTTP/1.1\r\nHost: a\r\n"], port: gateway.port, group: group, waitForClose: true, timeout: .seconds(30))
            #expect(result.responses.first?.status == 408)
            #expect(result.closed)
        }
    }

    @Test func largeUploadStreamsThrough() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group, countBodyOnly: true) { request in
            .init(body: "done")
        }
        let gateway = try await TestGateway(plan: TestPlans.proxy(to: [upstream.port]))
        // Far more than the gateway may hold: it streams, so its memory stays flat meanwhile.
        let size = 256 * 1024 * 1024
        let status = group.next().makePromise(of: UInt.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseStatusHandler(promise: status))
                }
            }
            .connect(host: "127.0.0.1", port: gateway.port).get()
        var head = HTTPRequestHead(version: .http1_1, method: .PUT, uri: "/upload")
        head.headers.add(name: "Host", value: "a")
        head.headers.add(name: "Content-Length", value: String(size))
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        let chunk = ByteBuffer(repeating: 0x61, count: 256 * 1024)
        let baseline = try Self.residentBytes()
        var peak = baseline
        for i in 0..<(size / chunk.readableBytes) {
            // Waiting for each write applies the gateway's backpressure to this client.
            try await channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(chunk)))
            if i % 16 == 0 { peak = max(peak, try Self.residentBytes()) }
        }
        // The whole process (client, gateway and upstream are all in it) grew by far less than
        // the body: nothing along the way buffered it.
        #expect(peak - baseline < size / 4, "resident memory grew by \(peak - baseline) bytes")
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        // The upstream answers once it has the whole body; the gateway relays that answer.
        #expect(try await status.futureResult.get() == 200)
        #expect(upstream.bodyBytesReceived == size)
        try await channel.close()
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
    }

    /// This process's resident memory (`/proc/self/statm`).
    static func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

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

    @Test func drainTimeoutClosesStuckRequests() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let arrived = group.next().makePromise(of: Void.self)
        let upstream = try await TestUpstream(group: group) { _ in
            arrived.succeed(())
            return .init(hang: true)
        }
        let gateway = try await TestGateway(plan: TestPlans.proxy(to: [upstream.port]))
        let pending = Task {
            try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group, waitForClose: true, timeout: .seconds(20))
        }
        try await arrived.futureResult.get()
        // The upstream never answers: once the drain time is over the connection is closed.
        await gateway.stop(drainTimeout: .milliseconds(200))
        let result = try await pending.value
        #expect(result.closed)
        #expect(result.responses.isEmpty)
        // A second stop (e.g. SIGTERM twice) returns at once instead of touching stopped loops.
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
    }
}

/// Completes `promise` with the status of the first response head.
private final class ResponseStatusHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let promise: EventLoopPromise<UInt>
    init(promise: EventLoopPromise<UInt>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { promise.succeed(head.status.code) }
    }
    func channelInactive(context: ChannelHandlerContext) { promise.fail(ChannelError.eof) }
}
