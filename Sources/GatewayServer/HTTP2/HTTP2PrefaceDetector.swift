import NIOCore

/// On a cleartext listener with h2c: reads until the first bytes either are the HTTP/2 client
/// preface (RFC 9113 §3.4, prior knowledge) or cannot be, then has the pipeline configured for
/// that protocol and steps aside, handing on every byte it held.
final class HTTP2PrefaceDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private var buffered: ByteBuffer?
    private let configure: (_ isHTTP2: Bool) throws -> Void

    /// `configure` adds the handlers of the detected protocol after this one.
    init(configure: @escaping (_ isHTTP2: Bool) throws -> Void) {
        self.configure = configure
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var held = buffered {
            held.writeBuffer(&incoming)
            buffered = held
        } else {
            buffered = incoming
        }
        guard let bytes = buffered else { return }
        let seen = bytes.readableBytesView.prefix(Self.preface.count)
        let matches = seen.elementsEqual(Self.preface.prefix(seen.count))
        if matches && seen.count < Self.preface.count { return }
        do {
            try configure(matches)
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        buffered = nil
        context.fireChannelRead(wrapInboundOut(bytes))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

@available(*, unavailable)
extension HTTP2PrefaceDetector: Sendable {}
