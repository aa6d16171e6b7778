import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 client on one keep-alive connection: requests go one after another and each
/// returns its response, or throws when the connection closed before it was answered.
public final class KeepAliveClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: String
    }

    public struct ConnectionClosed: Error {}

    public let channel: any Channel
    private let collector: NIOLoopBound<Collector>

    private init(channel: any Channel, collector: NIOLoopBound<Collector>) {
        self.channel = channel
        self.collector = collector
    }

    public static func connect(port: Int, group: any EventLoopGroup) async throws -> KeepAliveClient {
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Collector())
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let collector = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: Collector.self), eventLoop: channel.eventLoop)
        }.get()
        return KeepAliveClient(channel: channel, collector: collector)
    }

    public func request(
        _ method: HTTPMethod = .GET, path: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> Response {
        let collector = self.collector
        let channel = self.channel
        return try await channel.eventLoop.flatSubmit {
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: "test.local")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if let body { head.headers.add(name: "Content-Length", value: String(body.utf8.count)) }
            let promise = channel.eventLoop.makePromise(of: Response.self)
            collector.value.enqueue(promise)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult
        }.get()
    }

    public func close() async {
        try? await channel.close()
    }

    fileprivate final class Collector: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        private var waiting: [EventLoopPromise<Response>] = []
        private var head: HTTPResponseHead?
        private var body = ""

        func enqueue(_ promise: EventLoopPromise<Response>) { waiting.append(promise) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = ""
            case .body(let buffer):
                body += String(buffer: buffer)
            case .end:
                guard let head, !waiting.isEmpty else { return }
                waiting.removeFirst().succeed(Response(status: Int(head.status.code), headers: head.headers, body: body))
                self.head = nil
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            for promise in waiting { promise.fail(ConnectionClosed()) }
            waiting = []
            context.fireChannelInactive()
        }
    }
}

@available(*, unavailable)
extension KeepAliveClient.Collector: Sendable {}
