import GatewayCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A minimal HTTP/1.1 GET for documents policies need (a JWKS): one connection per fetch,
/// `Connection: close`, a bounded body, a deadline. Used only in the background, never per
/// request.
///
/// Over `https://` the server's certificate is verified (the system trust store, or the CAs of
/// `caFile`) for the URL's host, which is also sent as SNI; TLS 1.2+ with the same hardened
/// suites as upstream TLS. Redirects are not followed (a 3xx is a failed fetch, like any status
/// but 200): a key set is only taken from the URL the configuration names. `Content-Type` is
/// not looked at; the document must parse as a JWKS.
enum DocumentFetcher {
    struct FetchError: Error, CustomStringConvertible {
        var description: String
    }

    /// Fetches `url`. Name resolution and reading `caFile` block the caller, which is why this
    /// runs in a background task and never on an event loop.
    static func get(
        _ url: String, caFile: String? = nil, group: any EventLoopGroup, timeout: TimeAmount = .seconds(5), maxBytes: Int = 1 << 20
    ) async throws -> ByteBuffer {
        guard let target = DocumentURL(url) else { throw FetchError(description: "only http:// and https:// URLs can be fetched") }
        let tls = try target.isTLS ? tlsContext(caFile: caFile) : nil
        let isLiteral = IPAddress(target.host) != nil
        let address = try isLiteral
            ? SocketAddress(ipAddress: target.host, port: target.port)
            : SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
        let loop = group.next()
        let promise = loop.makePromise(of: ByteBuffer.self)
        let connecting = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // SNI carries a name only; an IP literal is verified against the
                        // certificate's IP addresses instead.
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: isLiteral ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(DocumentCollector(promise: promise, maxBytes: maxBytes))
                }
            }
            .connect(to: address)
        let channel: any Channel
        do {
            channel = try await connecting.get()
        } catch {
            promise.fail(error)
            throw error
        }
        let deadline = loop.scheduleTask(in: timeout) {
            promise.fail(FetchError(description: "no complete answer within \(timeout)"))
            channel.close(promise: nil)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.authority)
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: target.path, headers: headers)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }

    /// The client context of one https fetch: verification always on, built per fetch so a
    /// changed CA file is used by the next fetch.
    private static func tlsContext(caFile: String?) throws -> NIOSSLContext {
        try TLSContextFactory.upstreamContext(UpstreamTLS(verify: true, caFile: caFile))
    }
}

/// Collects one response: status 200 required, body bounded.
final class DocumentCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<ByteBuffer>
    private let maxBytes: Int
    private var body = ByteBuffer()

    init(promise: EventLoopPromise<ByteBuffer>, maxBytes: Int) {
        self.promise = promise
        self.maxBytes = maxBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.status != .ok {
                let redirect = (300..<400).contains(head.status.code) ? " (redirects are not followed)" : ""
                promise.fail(DocumentFetcher.FetchError(description: "answered \(head.status.code)\(redirect)"))
                context.close(promise: nil)
            }
        case .body(var part):
            guard body.readableBytes + part.readableBytes <= maxBytes else {
                promise.fail(DocumentFetcher.FetchError(description: "document larger than \(maxBytes) bytes"))
                context.close(promise: nil)
                return
            }
            body.writeBuffer(&part)
        case .end:
            promise.succeed(body)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DocumentFetcher.FetchError(description: "connection closed before the answer was complete"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension DocumentCollector: Sendable {}
