import GatewayCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 GET for documents policies need (a JWKS): one connection per fetch,
/// `Connection: close`, a bounded body, a deadline. Used only in the background, never per
/// request.
enum DocumentFetcher {
    struct FetchError: Error, CustomStringConvertible {
        var description: String
    }

    /// Fetches `url` (`http://host[:port]/path`). Name resolution blocks its caller, which is why
    /// this runs in a background task and never on an event loop.
    static func get(_ url: String, group: any EventLoopGroup, timeout: TimeAmount = .seconds(5), maxBytes: Int = 1 << 20) async throws -> ByteBuffer {
        guard url.lowercased().hasPrefix("http://") else { throw FetchError(description: "only http:// URLs can be fetched") }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = rest[slash...].isEmpty ? "/" : String(rest[slash...])
        var host = authority
        var port = 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let value = Int(authority[authority.index(after: colon)...]) else { throw FetchError(description: "invalid port in \(url)") }
            host = String(authority[..<colon])
            port = value
        }
        let literal = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let address = try IPAddress(literal) != nil
            ? SocketAddress(ipAddress: literal, port: port)
            : SocketAddress.makeAddressResolvingHost(host, port: port)
        let loop = group.next()
        let promise = loop.makePromise(of: ByteBuffer.self)
        let connecting = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
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
        headers.add(name: "Host", value: authority)
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
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
                promise.fail(DocumentFetcher.FetchError(description: "answered \(head.status.code)"))
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
