import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A client that writes exact bytes and parses what comes back, for tests of malformed input,
/// smuggling attempts and pipelining.
public enum RawClient {
    public struct Response: Sendable {
        public var head: HTTPResponseHead
        public var body: String
        public var status: Int { Int(head.status.code) }
        public func header(_ name: String) -> String? { head.headers.first(name: name) }
    }

    public struct Result: Sendable {
        public var responses: [Response]
        /// Whether the server closed the connection before the deadline.
        public var closed: Bool
    }

    /// Sends `bytes` (split into `chunks` writes if given), then collects responses until
    /// `expect` responses arrived and (if `waitForClose`) the server closed, or `timeout` passes.
    public static func send(
        _ chunks: [String],
        port: Int,
        group: any EventLoopGroup,
        expect: Int = 1,
        waitForClose: Bool = false,
        methods: [HTTPMethod] = Array(repeating: .GET, count: 16),
        timeout: TimeAmount = .seconds(10)
    ) async throws -> Result {
        let done = group.next().makePromise(of: Result.self)
        let collector = Collector(expect: expect, waitForClose: waitForClose, promise: done)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FrontHandler())
                    try channel.pipeline.syncOperations.addHandler(SwallowRequestParts())
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .forward))
                    )
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        // The response decoder pairs each response with a request method (HEAD responses have no
        // body); it learns them from request heads written through it, which are then dropped.
        for method in methods {
            channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: "/")), promise: nil)
        }
        // Raw bytes bypass the response decoder (which only observes request parts): they are
        // written from the front of the pipeline.
        for chunk in chunks {
            // A server may answer and close before every chunk is written (413, 408): the
            // remaining chunks are dropped, and the result says the connection closed.
            do {
                try await channel.eventLoop.flatSubmit {
                    guard let front = try? channel.pipeline.syncOperations.context(handlerType: FrontHandler.self) else {
                        return channel.eventLoop.makeSucceededVoidFuture()
                    }
                    return front.writeAndFlush(NIOAny(ByteBuffer(string: chunk)))
                }.get()
            } catch {
                break
            }
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) { collector.finish(on: channel) }
        let result = try await done.futureResult.get()
        timer.cancel()
        try? await channel.close()
        return result
    }

    final class FrontHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
    }

    final class SwallowRequestParts: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = HTTPClientRequestPart
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            promise?.succeed(())
        }
    }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let expect: Int
        let waitForClose: Bool
        let promise: EventLoopPromise<Result>
        var responses: [Response] = []
        var head: HTTPResponseHead?
        var body = ""
        var closed = false
        var finished = false

        init(expect: Int, waitForClose: Bool, promise: EventLoopPromise<Result>) {
            self.expect = expect
            self.waitForClose = waitForClose
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = ""
                if h.status.code < 200 {
                    responses.append(Response(head: h, body: ""))
                    head = nil
                }
            case .body(let b): body += String(buffer: b)
            case .end:
                if let head { responses.append(Response(head: head, body: body)) }
                head = nil
                if responses.filter({ $0.status >= 200 }).count >= expect && !waitForClose { complete() }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed = true
            if let head { responses.append(Response(head: head, body: body)) }
            complete()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        func finish(on channel: any Channel) {
            complete()
        }

        private func complete() {
            guard !finished else { return }
            finished = true
            promise.succeed(Result(responses: responses, closed: closed))
        }
    }
}
