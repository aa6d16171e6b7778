import GatewayCore
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Testing

/// WebSocket upgrades through the gateway, against a real WebSocket server (NIOWebSocket's
/// upgrader: it checks the handshake and computes `Sec-WebSocket-Accept`) that echoes text frames.
@Suite("WebSocket tunnels") struct WebSocketTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    static let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  // RFC 6455 §1.3
    static func handshake(path: String = "/ws", upgrade: String = "websocket") -> String {
        "GET \(path) HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: \(upgrade)\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    /// A masked client text frame (RFC 6455 §5.2), payload under 126 bytes.
    static func clientFrame(_ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let mask: [UInt8] = [0x11, 0x22, 0x33, 0x44]
        return [0x81, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// The server's unmasked text frame for `text`.
    static func serverFrame(_ text: String) -> [UInt8] {
        [0x81, UInt8(text.utf8.count)] + Array(text.utf8)
    }

    static func plan(upstreamPort: Int, websocket: Bool = true, idle: TimeAmount = .seconds(30)) -> GatewayPlan {
        var spec = UpstreamSpec(name: "ws", servers: [UpstreamServer(host: "127.0.0.1", port: upstreamPort)])
        spec.firstByteTimeout = .seconds(10)
        let target = ProxyTarget(upstream: "ws", websocketIdleTimeout: websocket ? idle : nil)
        return GatewayPlan(
            settings: ServerSettings(workerThreads: 1, accessLog: .off),
            listeners: [ListenerSpec(host: "127.0.0.1", port: 0)],
            upstreams: ["ws": spec],
            routes: RouteTable(routes: [Route(path: .prefix("/"), action: .proxy(target))])
        )
    }

    @Test func handshakeAndFramesFlowBothWays() async throws {
        try await WebSocketEchoServer.with { server, group in
            let gateway = try await TestGateway(plan: Self.plan(upstreamPort: server.port))
            let client = try await ByteClient.connect(port: gateway.port, group: group)
            // The first frame rides in the same write as the handshake: it must survive the swap
            // from HTTP to tunnel on the gateway's side.
            try await client.send(Array(Self.handshake().utf8) + Self.clientFrame("early"))
            let head = try await client.readHead()
            #expect(head.hasPrefix("HTTP/1.1 101"))
            #expect(head.contains("Sec-WebSocket-Accept: \(Self.accept)"))
            #expect(head.lowercased().contains("upgrade: websocket"))
            #expect(try await client.read(count: Self.serverFrame("early").count) == Self.serverFrame("early"))
            for word in ["one", "two", String(repeating: "x", count: 100)] {
                try await client.send(Self.clientFrame(word))
                #expect(try await client.read(count: Self.serverFrame(word).count) == Self.serverFrame(word))
            }
            // The client leaves: the upstream side of the tunnel is closed too.
            try await client.close()
            try await server.waitForNoConnections()
            await gateway.stop()
        }
    }

    @Test func idleTunnelIsClosed() async throws {
        try await WebSocketEchoServer.with { server, group in
            let gateway = try await TestGateway(plan: Self.plan(upstreamPort: server.port, idle: .milliseconds(300)))
            let client = try await ByteClient.connect(port: gateway.port, group: group)
            try await client.send(Array(Self.handshake().utf8))
            #expect(try await client.readHead().hasPrefix("HTTP/1.1 101"))
            try await client.waitForClose(timeout: .seconds(20))
            try await server.waitForNoConnections()
            await gateway.stop()
        }
    }

    /// On a route without `websocket on`, and for any other protocol (h2c), the upgrade is not
    /// forwarded: the upstream gets a plain request and the connection closes after the answer.
    @Test(arguments: [(false, "websocket"), (true, "h2c")])
    func upgradeNotTunnelled(websocketRoute: Bool, upgrade: String) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group) { _ in .init(body: "plain") }
        let gateway = try await TestGateway(plan: Self.plan(upstreamPort: upstream.port, websocket: websocketRoute))
        let result = try await RawClient.send(
            [Self.handshake(upgrade: upgrade) + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group,
            expect: 1, waitForClose: true)
        #expect(result.responses.map(\.status) == [200])
        #expect(result.responses.first?.header("Connection") == "close")
        #expect(result.closed)
        let received = try #require(upstream.requests.first)
        #expect(received.head.headers["Upgrade"].isEmpty)
        #expect(upstream.requestCount == 1)
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
    }
}

/// A WebSocket server on 127.0.0.1:0 that echoes text frames and counts open connections.
final class WebSocketEchoServer: Sendable {
    let channel: any Channel
    let open = NIOLockedValueBox(0)
    var port: Int { channel.localAddress!.port! }

    private init(group: any EventLoopGroup) async throws {
        let open = self.open
        let upgrader = NIOWebSocketServerUpgrader(
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
            }
        )
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                open.withLockedValue { $0 += 1 }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    static func with(_ body: (WebSocketEchoServer, MultiThreadedEventLoopGroup) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await WebSocketEchoServer(group: group)
        do {
            try await body(server, group)
        } catch {
            try? await server.channel.close()
            try await group.shutdownGracefully()
            throw error
        }
        try await server.channel.close()
        try await group.shutdownGracefully()
    }

    /// Waits (bounded) until every accepted connection has closed.
    func waitForNoConnections() async throws {
        for _ in 0..<400 where open.withLockedValue({ $0 }) > 0 {
            try await Task.sleep(nanoseconds: 25_000_000)
        }
        #expect(open.withLockedValue { $0 } == 0)
    }

    final class EchoHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text:
                let echo = WebSocketFrame(fin: true, opcode: .text, data: frame.unmaskedData)
                context.writeAndFlush(wrapOutboundOut(echo), promise: nil)
            case .connectionClose:
                context.close(promise: nil)
            default:
                break
            }
        }
    }
}

/// A TCP client that sends raw bytes and reads exact byte counts, for protocols after HTTP.
final class ByteClient: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    static func connect(port: Int, group: any EventLoopGroup) async throws -> ByteClient {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return ByteClient(channel: channel, collector: collector)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The response head, up to and including the blank line.
    func readHead(timeout: TimeAmount = .seconds(10)) async throws -> String {
        let bytes = try await collector.take(timeout: timeout, on: channel.eventLoop) { buffer in
            let view = Array(buffer.readableBytesView)
            for i in 0..<max(0, view.count - 3) where view[i] == 13 && view[i + 1] == 10 && view[i + 2] == 13 && view[i + 3] == 10 {
                return i + 4
            }
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func read(count: Int, timeout: TimeAmount = .seconds(10)) async throws -> [UInt8] {
        try await collector.take(timeout: timeout, on: channel.eventLoop) { $0.readableBytes >= count ? count : nil }
    }

    /// Waits until the peer closes; fails the test if `timeout` passes first.
    func waitForClose(timeout: TimeAmount) async throws {
        let timedOut = NIOLockedValueBox(false)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { [channel] in
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        try await channel.closeFuture.get()
        deadline.cancel()
        #expect(!timedOut.withLockedValue { $0 }, "the peer did not close within \(timeout)")
    }

    func close() async throws { try await channel.close() }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var buffer = ByteBuffer()
        private var waiter: (length: @Sendable (ByteBuffer) -> Int?, promise: EventLoopPromise<[UInt8]>)?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            buffer.writeBuffer(&bytes)
            serve()
        }

        func channelInactive(context: ChannelHandlerContext) {
            waiter?.promise.fail(ChannelError.eof)
            waiter = nil
        }

        private func serve() {
            guard let waiter, let length = waiter.length(buffer) else { return }
            self.waiter = nil
            waiter.promise.succeed(buffer.readBytes(length: length) ?? [])
        }

        func take(timeout: TimeAmount, on loop: any EventLoop, _ length: @escaping @Sendable (ByteBuffer) -> Int?) async throws -> [UInt8] {
            let promise = loop.makePromise(of: [UInt8].self)
            loop.execute {
                self.waiter = (length, promise)
                self.serve()
            }
            let timer = loop.scheduleTask(in: timeout) { promise.fail(ChannelError.connectTimeout(timeout)) }
            defer { timer.cancel() }
            return try await promise.futureResult.get()
        }
    }
}
