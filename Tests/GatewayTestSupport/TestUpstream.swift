import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A real HTTP/1.1 origin on 127.0.0.1 with an ephemeral port that records every byte and every
/// request it receives, and answers through a closure.
public final class TestUpstream: Sendable {
    public struct Request: Sendable {
        public var head: HTTPRequestHead
        public var body: ByteBuffer
        public var connection: Int
    }

    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var headers: [(String, String)]
        public var body: String
        /// Never answer (to test timeouts).
        public var hang: Bool
        /// Answer only once this completes.
        public var after: EventLoopFuture<Void>?

        public init(
            status: HTTPResponseStatus = .ok,
            headers: [(String, String)] = [],
            body: String = "",
            hang: Bool = false,
            after: EventLoopFuture<Void>? = nil
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.hang = hang
            self.after = after
        }
    }

    public typealias Responder = @Sendable (Request) -> Response

    private struct State {
        var requests: [Request] = []
        var raw: [UInt8] = []
        var connections = 0
        var bodyBytes = 0
        var open: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let channel: any Channel
    public let port: Int

    /// Starts an upstream; `countBodyOnly` keeps body bytes out of memory (for large uploads);
    /// with `tls` it speaks HTTPS. `port` 0 picks a free port; another restarts a stopped upstream
    /// on the port it had.
    public init(
        group: any EventLoopGroup,
        port: Int = 0,
        countBodyOnly: Bool = false,
        tls: NIOSSLContext? = nil,
        responder: @escaping Responder = { _ in Response(body: "ok") }
    ) async throws {
        let state = self.state
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = state.withLockedValue { s -> Int in
                        s.connections += 1
                        s.open[ObjectIdentifier(channel)] = channel
                        return s.connections
                    }
                    channel.closeFuture.whenComplete { _ in state.withLockedValue { $0.open[ObjectIdentifier(channel)] = nil } }
                    let sync = channel.pipeline.syncOperations
                    if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    if !countBodyOnly { try sync.addHandler(RawRecorder(state: state)) }
                    try sync.configureHTTPServerPipeline(withErrorHandling: true)
                    try sync.addHandler(UpstreamHandler(state: state, connection: id, countBodyOnly: countBodyOnly, responder: responder))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        self.channel = channel
        self.port = channel.localAddress!.port!
    }

    public var requests: [Request] { state.withLockedValue { $0.requests } }
    public var requestCount: Int { state.withLockedValue { $0.requests.count } }
    public var connectionCount: Int { state.withLockedValue { $0.connections } }
    public var bodyBytesReceived: Int { state.withLockedValue { $0.bodyBytes } }
    /// Every byte received, all connections concatenated in arrival order.
    public var rawText: String { state.withLockedValue { String(decoding: $0.raw, as: UTF8.self) } }

    /// Stops listening (a second stop, or one after ``kill()``, does nothing).
    public func stop() async throws {
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {}
    }

    /// Stops listening and closes every open connection, as a crashed origin would.
    public func kill() async throws {
        try await stop()
        let open = state.withLockedValue { $0.open.values }
        for connection in open { try? await connection.close() }
    }

    private final class RawRecorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let state: NIOLockedValueBox<State>
        init(state: NIOLockedValueBox<State>) { self.state = state }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            state.withLockedValue { $0.raw.append(contentsOf: buffer.readableBytesView) }
            context.fireChannelRead(data)
        }
    }

    private final class UpstreamHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: NIOLockedValueBox<State>
        let connection: Int
        let countBodyOnly: Bool
        let responder: Responder
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(state: NIOLockedValueBox<State>, connection: Int, countBodyOnly: Bool, responder: @escaping Responder) {
            self.state = state
            self.connection = connection
            self.countBodyOnly = countBodyOnly
            self.responder = responder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var part):
                state.withLockedValue { $0.bodyBytes += part.readableBytes }
                if !countBodyOnly { body.writeBuffer(&part) }
            case .end:
                guard let head else { return }
                let request = Request(head: head, body: body, connection: connection)
                state.withLockedValue { $0.requests.append(request) }
                let response = responder(request)
                if response.hang { return }
                if let after = response.after {
                    after.hop(to: context.eventLoop).assumeIsolated().whenSuccess { self.write(response, for: head, context: context) }
                } else {
                    write(response, for: head, context: context)
                }
            }
        }

        func write(_ response: Response, for head: HTTPRequestHead, context: ChannelHandlerContext) {
            var headers = HTTPHeaders(response.headers)
                if !headers.contains(name: "content-length") && !headers.contains(name: "transfer-encoding") {
                    headers.add(name: "Content-Length", value: String(response.body.utf8.count))
                }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
                if !response.body.isEmpty && head.method != .HEAD {
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
