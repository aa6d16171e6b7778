import NIOCore

/// One end of a byte tunnel: what its channel reads is written to the partner's channel, with
/// backpressure both ways (a side is read only while the other side is writable), after the
/// GlueHandler of swift-nio-examples' connect proxy.
///
/// Until the tunnel is open (the HTTP handlers of both pipelines are gone) it holds what it
/// reads and reads no more. Both ends live on one event loop, so every call is direct.
final class TunnelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    weak var partner: TunnelHandler?
    /// Set by the tunnel that owns this end.
    weak var tunnel: Tunnel?
    private var context: ChannelHandlerContext?
    private var open = false
    private var held: [ByteBuffer] = []
    private var readPending = false
    /// Bytes read from this end's channel.
    private(set) var bytesRead = 0

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        bytesRead += bytes.readableBytes
        guard open else {
            held.append(bytes)
            return
        }
        tunnel?.activity()
        partner?.write(bytes)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if open { partner?.flush() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.readIfPending() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        tunnel?.close()
        // The exchange handler behind logs the request and leaves the loop's registry.
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tunnel?.close()
    }

    func read(context: ChannelHandlerContext) {
        if open, partner?.isWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }

    // MARK: Driven by the tunnel and the partner

    /// Passes on what was held while the HTTP handlers left, then reads as the partner allows.
    func openTunnel() {
        open = true
        for bytes in held { partner?.write(bytes) }
        if !held.isEmpty { partner?.flush() }
        held = []
        readIfPending()
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    func flush() { context?.flush() }

    func readIfPending() {
        guard open, readPending, let context, partner?.isWritable ?? false else { return }
        readPending = false
        context.read()
    }

    func close() {
        context?.close(promise: nil)
    }
}

@available(*, unavailable)
extension TunnelHandler: Sendable {}
