import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Testing

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
