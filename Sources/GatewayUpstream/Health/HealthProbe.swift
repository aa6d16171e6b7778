import GatewayCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One active health probe of one server, always on a fresh connection (never one of the request
/// pool, so a probe neither waits behind traffic nor leaves a half-read connection there).
///
/// `tcp` succeeds once the connect (and, with TLS, the verified handshake) completes; `http`
/// sends `GET path HTTP/1.1` with `Host` and `Connection: close` and succeeds on an expected
/// status. `timeout` bounds the whole probe; the connection is closed either way.
public struct HealthProbe: Sendable {
    public enum Outcome: Equatable, Sendable {
        case success
        case failure(reason: String)
    }

    public let check: HealthCheck
    public let address: SocketAddress
    /// The upstream's client TLS context when its servers speak TLS.
    public let tlsContext: NIOSSLContext?
    public let serverName: String?
    /// `Host` of an HTTP probe: the check's `host`, else the server's host:port.
    public let hostHeader: String

    public init(check: HealthCheck, address: SocketAddress, tlsContext: NIOSSLContext?, serverName: String?, hostHeader: String) {
        self.check = check
        self.address = address
        self.tlsContext = tlsContext
        self.serverName = serverName
        self.hostHeader = hostHeader
    }

    /// Runs the probe on `eventLoop`; the future never fails (a failure is an ``Outcome``).
    public func run(on eventLoop: any EventLoop) -> EventLoopFuture<Outcome> {
        let promise = eventLoop.makePromise(of: Outcome.self)
        eventLoop.execute { HealthProbeRun(probe: self, eventLoop: eventLoop, promise: promise).start() }
        return promise.futureResult
    }

    var requestHead: HTTPRequestHead? {
        guard case .http(let path, _, _) = check.kind else { return nil }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: hostHeader)
        head.headers.add(name: "User-Agent", value: "gateway-health-check")
        head.headers.add(name: "Connection", value: "close")
        return head
    }
}

/// The state of one running probe, on its event loop only: the first of result, failure or
/// timeout completes it and closes the connection.
private final class HealthProbeRun {
    let probe: HealthProbe
    let eventLoop: any EventLoop
    let promise: EventLoopPromise<HealthProbe.Outcome>
    private var channel: (any Channel)?
    private var timer: Scheduled<Void>?
    private var done = false

    init(probe: HealthProbe, eventLoop: any EventLoop, promise: EventLoopPromise<HealthProbe.Outcome>) {
        self.probe = probe
        self.eventLoop = eventLoop
        self.promise = promise
    }

    func start() {
        let timeout = probe.check.timeout
        timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.finish(.failure(reason: "timed out after \(timeout.nanoseconds / 1_000_000)ms"))
        }
        let tlsContext = probe.tlsContext
        let serverName = probe.serverName
        let isHTTP = probe.requestHead != nil
        let status = eventLoop.makePromise(of: Int.self)
        ClientBootstrap(group: eventLoop)
            .connectTimeout(probe.check.timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext { try sync.addUpstreamTLSHandlers(tlsContext, serverName: serverName, on: channel) }
                    if isHTTP {
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(HealthProbeResponseHandler(status: status))
                    }
                }
            }
            .connect(to: probe.address)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    status.fail(error)
                    self.finish(.failure(reason: "connect failed: \(error)"))
                case .success(let channel):
                    self.connected(channel, status: status)
                }
            }
    }

    private func connected(_ channel: any Channel, status: EventLoopPromise<Int>) {
        channel.closeFuture.whenComplete { _ in status.fail(ChannelError.eof) }
        guard !done else {
            channel.close(promise: nil)
            return
        }
        self.channel = channel
        let handshake: EventLoopFuture<Void>
        if probe.tlsContext != nil, let handler = try? channel.pipeline.syncOperations.handler(type: TLSHandshakeHandler.self) {
            handshake = handler.handshake
        } else {
            handshake = eventLoop.makeSucceededVoidFuture()
        }
        handshake.assumeIsolated().whenComplete { result in
            if case .failure(let error) = result {
                self.finish(.failure(reason: "TLS handshake failed: \(error)"))
                return
            }
            guard let head = self.probe.requestHead else {
                self.finish(.success)
                return
            }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            status.futureResult.assumeIsolated().whenComplete { result in
                switch result {
                case .success(let code) where self.probe.check.accepts(status: code): self.finish(.success)
                case .success(let code): self.finish(.failure(reason: "status \(code)"))
                case .failure(let error): self.finish(.failure(reason: "no response: \(error)"))
                }
            }
        }
    }

    private func finish(_ outcome: HealthProbe.Outcome) {
        guard !done else { return }
        done = true
        timer?.cancel()
        channel?.close(promise: nil)
        promise.succeed(outcome)
    }
}

/// Reports the status of the first response head, or a failure when the connection ends first.
private final class HealthProbeResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let status: EventLoopPromise<Int>

    init(status: EventLoopPromise<Int>) { self.status = status }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { status.succeed(Int(head.status.code)) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        status.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        status.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension HealthProbeResponseHandler: Sendable {}
