import NIOCore
import NIOSSL
import NIOTLS

/// Completes its promise when the TLS handshake in front of it succeeds, fails it when the
/// handshake fails or the connection closes first, then steps aside.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>
    private var completed = false

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    /// Completes when the handshake is done. The handler stays in the pipeline until then, so it
    /// can be looked up as soon as the TCP connect completes.
    var handshake: EventLoopFuture<Void> { promise.futureResult }

    private func complete(_ result: Result<Void, any Error>) {
        guard !completed else { return }
        completed = true
        promise.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            complete(.success(()))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.eof))
    }
}

@available(*, unavailable)
extension TLSHandshakeHandler: Sendable {}

extension ChannelPipeline.SynchronousOperations {
    /// The client side of TLS to an upstream server (`serverName` as SNI and verified name), with
    /// a ``TLSHandshakeHandler`` behind it to wait for the handshake.
    func addUpstreamTLSHandlers(_ context: NIOSSLContext, serverName: String?, on channel: any Channel) throws {
        try addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
        try addHandler(TLSHandshakeHandler(promise: channel.eventLoop.makePromise()))
    }
}
