import NIOCore
import NIOHTTP1

/// Serves the admin endpoints on one connection of the admin listener (HTTP/1.1 through
/// NIOHTTP1's server pipeline). Endpoints that must wait (a reload, gathering metrics from every
/// event loop) answer when their future completes; requests on one connection are answered in
/// order because the next one is not read before.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoints: AdminEndpoints
    private var head: HTTPRequestHead?

    init(endpoints: AdminEndpoints) {
        self.endpoints = endpoints
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let route = AdminRoute.decide(
                method: head.method, path: head.uri, authorization: head.headers.first(name: "authorization"),
                token: endpoints.token)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            endpoints.answer(route, on: context.eventLoop).hop(to: context.eventLoop).whenComplete { result in
                let response: AdminResponse
                switch result {
                case .success(let r): response = r
                case .failure(let error): response = .json(.internalServerError, #"{"error":\#(AdminResponse.quoted("\(error)"))}"#)
                }
                Self.write(response, for: head, context: bound.value)
            }
        }
    }

    private static func write(_ response: AdminResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        headers.add(name: "Cache-Control", value: "no-store")
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        }
        let keepAlive = request.isKeepAlive
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).assumeIsolated().whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension AdminHandler: Sendable {}
