import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// Real TLS handshakes and HTTP/1.1 requests over TLS against a listener, with NIOSSL.
public enum TLSTestClient {
    public struct Handshake: Sendable {
        public var certificate: NIOSSLCertificate?
        public var negotiatedProtocol: String?
        public var version: TLSVersion?
    }

    /// A client configuration trusting `caFile`, offering `alpn`.
    public static func configuration(
        trusting caFile: String,
        alpn: [String] = ["http/1.1"],
        minimumVersion: TLSVersion = .tlsv12,
        maximumVersion: TLSVersion? = nil,
        clientCertificate: TestCertificates.Issued? = nil
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        configuration.applicationProtocols = alpn
        configuration.minimumTLSVersion = minimumVersion
        configuration.maximumTLSVersion = maximumVersion
        if let clientCertificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificate.certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientCertificate.key, format: .pem))
        }
        return configuration
    }

    /// Connects, completes the handshake (or throws its error), reports what was negotiated, closes.
    public static func handshake(
        port: Int,
        group: any EventLoopGroup,
        configuration: TLSConfiguration,
        serverName: String?
    ) async throws -> Handshake {
        let context = try NIOSSLContext(configuration: configuration)
        let done = group.next().makePromise(of: String?.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: done))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        let negotiated = try await done.futureResult.get()
        let details = try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            return Handshake(certificate: handler.peerCertificate, negotiatedProtocol: negotiated, version: handler.tlsVersion)
        }.get()
        return details
    }

    /// One HTTP/1.1 request over TLS; the response as ``RawClient`` parses it.
    public static func request(
        _ head: HTTPRequestHead,
        port: Int,
        group: any EventLoopGroup,
        configuration: TLSConfiguration,
        serverName: String?
    ) async throws -> RawClient.Response {
        let context = try NIOSSLContext(configuration: configuration)
        let done = group.next().makePromise(of: RawClient.Response.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: done))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        defer { channel.close(promise: nil) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        return try await done.futureResult.get()
    }

    final class HandshakeWatcher: ChannelInboundHandler {
        typealias InboundIn = NIOAny
        let promise: EventLoopPromise<String?>
        init(promise: EventLoopPromise<String?>) { self.promise = promise }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted(let negotiated) = event { promise.succeed(negotiated) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(ChannelError.eof)
        }
    }

    final class ResponseCollector: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        let promise: EventLoopPromise<RawClient.Response>
        var head: HTTPResponseHead?
        var body = ""
        init(promise: EventLoopPromise<RawClient.Response>) { self.promise = promise }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h
            case .body(let b): body += String(buffer: b)
            case .end:
                if let head { promise.succeed(RawClient.Response(head: head, body: body)) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            promise.fail(error)
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(ChannelError.eof)
        }
    }
}
