import GatewayUpstream
import NIOCore
import NIOHTTP1

/// A WebSocket connection after its 101 answer: the client channel and the upstream channel
/// joined into one byte tunnel, until either side closes or both stay silent for the idle time.
///
/// Opening swaps the HTTP handlers of both pipelines for a ``TunnelHandler`` each; bytes either
/// side sent right behind the handshake are handed over by the departing decoders.
final class Tunnel {
    private let client: TunnelHandler
    private let upstream: TunnelHandler
    private var timer: DeadlineTimer?
    private let idleTimeout: TimeAmount
    private var onClose: ((_ fromClient: Int, _ fromUpstream: Int) -> Void)?
    private var closed = false

    /// Joins `clientPipeline` (whose HTTP/1 handlers sit before `exchange`) with the upstream
    /// connection's channel. `onClose` runs once, with the bytes each side sent.
    static func open(
        clientPipeline: ChannelPipeline,
        before exchange: any ChannelHandler,
        upstream connection: UpstreamConnection,
        idleTimeout: TimeAmount,
        onClose: @escaping (_ fromClient: Int, _ fromUpstream: Int) -> Void
    ) {
        let tunnel = Tunnel(eventLoop: connection.channel.eventLoop, idleTimeout: idleTimeout, onClose: onClose)
        let loop = connection.channel.eventLoop
        let sync = clientPipeline.syncOperations
        do {
            try sync.addHandler(tunnel.client, position: .before(exchange))
            let removals = [
                sync.removeHandler(try sync.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)),
                sync.removeHandler(try sync.handler(type: HTTPResponseEncoder.self)),
                connection.replaceHTTPHandlers(with: tunnel.upstream),
            ]
            EventLoopFuture.andAllSucceed(removals, on: loop).assumeIsolated().whenComplete { result in
                switch result {
                case .success: tunnel.start()
                case .failure: tunnel.close()
                }
            }
        } catch {
            tunnel.close()
        }
    }

    /// Keeps an open tunnel alive (its handlers reference it weakly); released on close.
    private var retainSelf: Tunnel?

    private init(eventLoop: any EventLoop, idleTimeout: TimeAmount, onClose: @escaping (_ fromClient: Int, _ fromUpstream: Int) -> Void) {
        self.idleTimeout = idleTimeout
        self.onClose = onClose
        self.client = TunnelHandler()
        self.upstream = TunnelHandler()
        client.partner = upstream
        upstream.partner = client
        client.tunnel = self
        upstream.tunnel = self
        timer = DeadlineTimer(eventLoop: eventLoop) { [weak self] in self?.close() }
        retainSelf = self
    }

    private func start() {
        guard !closed else { return }
        activity()
        client.openTunnel()
        upstream.openTunnel()
    }

    /// Bytes moved: the idle deadline starts again.
    func activity() {
        timer?.set(after: idleTimeout)
    }

    /// Closes both channels (once) and reports the bytes moved.
    func close() {
        guard !closed else { return }
        closed = true
        timer?.invalidate()
        // Reported before the channels close: closing the client logs the request.
        onClose?(client.bytesRead, upstream.bytesRead)
        onClose = nil
        client.close()
        upstream.close()
        retainSelf = nil
    }
}

@available(*, unavailable)
extension Tunnel: Sendable {}
