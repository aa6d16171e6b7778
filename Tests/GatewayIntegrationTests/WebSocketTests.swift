import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
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
