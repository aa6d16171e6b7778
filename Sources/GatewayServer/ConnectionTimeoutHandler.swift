import GatewayCore
import GatewayUpstream
import NIOCore

/// Guards a client connection between requests and while a request head arrives, at the byte
/// level (first in the pipeline, before the HTTP decoder).
///
/// - Waiting for a request: `keepalive_idle` (for the first request, `request_head` from accept);
///   on expiry the connection is closed silently, as every server does for idle keep-alive.
/// - Receiving a head (first byte seen): `request_head` from that byte; on expiry a 408 is written
///   and the connection closed, so a slowloris holds a socket for at most that long.
final class ConnectionTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum State { case awaitingRequest, readingHead, inRequest }

    private let timeouts: ServerTimeouts
    private var state = State.awaitingRequest
    private var timer: DeadlineTimer?
    private var context: ChannelHandlerContext?
    private var firstRequest = true
    /// HTTP/2 has no place for a raw HTTP/1 408: an expired head just closes.
    private var http2 = false

    init(timeouts: ServerTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        timer = DeadlineTimer(eventLoop: context.eventLoop) { [weak self] in self?.expired() }
        if context.channel.isActive { arm(timeouts.requestHead) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(timeouts.requestHead)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.invalidate()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.invalidate()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // On HTTP/2, bytes between streams are control frames (SETTINGS, PING, WINDOW_UPDATE);
        // only a new stream ends the idle wait.
        if state == .awaitingRequest && !http2 {
            state = .readingHead
            if !firstRequest { arm(timeouts.requestHead) }
        }
        context.fireChannelRead(data)
    }

    /// The connection speaks HTTP/2 from now on; streams report through ``HTTP2StreamTracker``.
    func useHTTP2() {
        http2 = true
    }

    /// The HTTP layer decoded a complete request head.
    func requestHeadReceived() {
        state = .inRequest
        firstRequest = false
        timer?.clear()
    }

    /// The response to the current request is complete and the connection stays open.
    func requestFinished() {
        state = .awaitingRequest
        arm(timeouts.keepaliveIdle)
    }

    private func arm(_ amount: TimeAmount) {
        timer?.set(after: amount)
    }

    private func expired() {
        guard let context else { return }
        switch state {
        case .awaitingRequest:
            context.close(promise: nil)
        case .readingHead where http2:
            context.close(promise: nil)
        case .readingHead:
            let response = GatewayResponse.error(.requestTimeout, requestID: "")
            let body = response.body ?? ByteBuffer()
            var buffer = context.channel.allocator.buffer(capacity: 160 + body.readableBytes)
            buffer.writeString("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n")
            buffer.writeString("Content-Length: \(body.readableBytes)\r\n\r\n")
            buffer.writeImmutableBuffer(body)
            context.writeAndFlush(NIOAny(IOData.byteBuffer(buffer))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        case .inRequest:
            break
        }
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}
