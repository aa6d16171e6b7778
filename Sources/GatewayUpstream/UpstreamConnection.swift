import NIOCore
import NIOHTTP1

/// One keep-alive HTTP/1.1 connection to one upstream server, bound to one event loop.
///
/// Not Sendable: it lives on its channel's event loop and is used only there.
public final class UpstreamConnection {
    public let channel: any Channel
    /// Index of the server in its upstream group.
    public let serverIndex: Int
    let handler: UpstreamConnectionHandler
    /// Requests completed on this connection; 0 means it was freshly connected for this request.
    public internal(set) var completedRequests = 0
    /// The one timeout of this connection, whoever uses it: first byte and idle while a request
    /// runs, keep-alive expiry while it sits in the pool. Reported to the current delegate.
    private let timer: DeadlineTimer
    /// The pool's delegate while idle, made once per connection.
    var idleWatcher: (any UpstreamResponseDelegate)?

    init(channel: any Channel, serverIndex: Int, handler: UpstreamConnectionHandler) {
        self.channel = channel
        self.serverIndex = serverIndex
        self.handler = handler
        self.timer = DeadlineTimer(eventLoop: channel.eventLoop) { [weak handler] in
            handler?.delegate?.upstreamDeadlinePassed()
        }
    }

    /// Reports ``UpstreamResponseDelegate/upstreamDeadlinePassed()`` to the delegate of that
    /// moment once `amount` passes without another call. Cheap to call per body chunk.
    public func setDeadline(after amount: TimeAmount) { timer.set(after: amount) }
    public func clearDeadline() { timer.clear() }

    public var isReused: Bool { completedRequests > 0 }
    public var isActive: Bool { channel.isActive && !handler.closed }
    public var isWritable: Bool { channel.isWritable }

    public var delegate: (any UpstreamResponseDelegate)? {
        get { handler.delegate }
        set { handler.delegate = newValue }
    }

    /// Stops reading from the upstream until ``resumeReading()`` (downstream backpressure).
    public func pauseReading() { handler.pauseReading() }
    public func resumeReading() { handler.resumeReading() }

    public func write(_ part: HTTPClientRequestPart, flush: Bool = false) {
        if flush {
            handler.context?.writeAndFlush(NIOAny(part), promise: nil)
        } else {
            handler.context?.write(NIOAny(part), promise: nil)
        }
    }

    public func flush() { handler.context?.flush() }

    /// Hands the connection's bytes to `handler` after a 101 answer: the HTTP codec leaves the
    /// pipeline (bytes already read past the response go to `handler`), the delegate and the
    /// deadline are dropped, and the connection never returns to a pool. The future completes
    /// when the codec is gone.
    public func replaceHTTPHandlers(with handler: any ChannelHandler) -> EventLoopFuture<Void> {
        delegate = nil
        clearDeadline()
        resumeReading()
        let sync = channel.pipeline.syncOperations
        do {
            try sync.addHandler(handler, position: .before(self.handler))
            return EventLoopFuture.andAllSucceed(
                [
                    sync.removeHandler(try sync.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self)),
                    sync.removeHandler(try sync.handler(type: HTTPRequestEncoder.self)),
                ],
                on: channel.eventLoop
            )
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
    }

    public func close() {
        handler.closed = true
        timer.invalidate()
        idleWatcher = nil
        channel.close(promise: nil)
    }
}

@available(*, unavailable)
extension UpstreamConnection: Sendable {}

/// The last handler of an upstream channel: hands response parts to the current delegate and
/// withholds reads while the downstream cannot take more (the GlueHandler pattern).
final class UpstreamConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    // Strong: the exchange (or the pool's idle watcher) is kept alive by its connection while
    // it runs; the reference is cleared on release and on close, which breaks the cycle.
    var delegate: (any UpstreamResponseDelegate)?
    var context: ChannelHandlerContext?
    var closed = false
    private var readPaused = false
    private var readPending = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): delegate?.upstreamResponseHead(head)
        case .body(let body): delegate?.upstreamResponseBody(body)
        case .end(let trailers): delegate?.upstreamResponseEnd(trailers)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed(error: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closed = true
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed(error: error)
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    func pauseReading() { readPaused = true }

    func resumeReading() {
        guard readPaused else { return }
        readPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }
}

@available(*, unavailable)
extension UpstreamConnectionHandler: Sendable {}
