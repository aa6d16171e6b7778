import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL

/// An HTTP/2 client speaking frames (NIOHTTP2), over TLS with ALPN `h2` or in cleartext with prior
/// knowledge. Its own header validation can be switched off to send what a well-behaved client
/// would not (connection-specific headers), and it can reset streams in bursts.
public final class H2TestClient: Sendable {
    public struct Response: Sendable {
        public var status: Int?
        public var headers: HPACKHeaders
        public var body: String
        /// The error code of a RST_STREAM from the server, if the stream was reset.
        public var resetCode: HTTP2ErrorCode?

        public func header(_ name: String) -> String? { headers.first(name: name) }
    }

    public let channel: any Channel
    private let multiplexer: NIOLoopBound<NIOHTTP2Handler.StreamMultiplexer>
    private init(channel: any Channel, multiplexer: NIOLoopBound<NIOHTTP2Handler.StreamMultiplexer>) {
        self.channel = channel
        self.multiplexer = multiplexer
    }

    /// Connects; with `tls` the handshake must negotiate `h2`.
    public static func connect(
        port: Int,
        group: any EventLoopGroup,
        tls: TLSConfiguration? = nil,
        serverName: String? = nil,
        validateHeaders: Bool = true
    ) async throws -> H2TestClient {
        let context = try tls.map { configuration -> NIOSSLContext in
            var configuration = configuration
            configuration.applicationProtocols = ["h2"]
            return try NIOSSLContext(configuration: configuration)
        }
        let channel = try await ClientBootstrap(group: group)
            .connect(host: "127.0.0.1", port: port).get()
        let multiplexer = try await channel.eventLoop.submit {
            let sync = channel.pipeline.syncOperations
            if let context {
                try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName))
            }
            var connection = NIOHTTP2Handler.ConnectionConfiguration()
            connection.headerBlockValidation = validateHeaders ? .enabled : .disabled
            let multiplexer = try sync.configureHTTP2Pipeline(
                mode: .client,
                connectionConfiguration: connection,
                streamConfiguration: .init()
            ) { stream in stream.close() }
            return NIOLoopBound(multiplexer, eventLoop: channel.eventLoop)
        }.get()
        return H2TestClient(channel: channel, multiplexer: multiplexer)
    }

    /// One request on a new stream: the pseudo-headers, then `headers`, then `body` if given.
    public func request(
        method: String = "GET",
        path: String,
        authority: String = "localhost",
        scheme: String = "https",
        headers extra: [(String, String)] = [],
        body: String? = nil
    ) async throws -> Response {
        let done = channel.eventLoop.makePromise(of: Response.self)
        var headers: HPACKHeaders = [":method": method, ":path": path, ":scheme": scheme, ":authority": authority]
        for (name, value) in extra { headers.add(name: name, value: value) }
        if let body { headers.add(name: "content-length", value: String(body.utf8.count)) }
        let multiplexer = self.multiplexer
        let stream = try await channel.eventLoop.flatSubmit {
            multiplexer.value.createStreamChannel { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(StreamCollector(promise: done))
                }
            }
        }.get()
        stream.write(HTTP2Frame.FramePayload.headers(.init(headers: headers, endStream: body == nil)), promise: nil)
        if let body {
            stream.write(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: body)), endStream: true)), promise: nil)
        }
        stream.flush()
        return try await done.futureResult.get()
    }

    /// Opens `count` streams and resets each right after its HEADERS (the rapid-reset pattern).
    /// Stops early when the connection closes.
    public func resetBurst(count: Int, path: String = "/") async throws {
        let headers: HPACKHeaders = [":method": "GET", ":path": path, ":scheme": "https", ":authority": "localhost"]
        let multiplexer = self.multiplexer
        for _ in 0..<count {
            guard channel.isActive else { return }
            let stream = try? await channel.eventLoop.flatSubmit {
                multiplexer.value.createStreamChannel { $0.eventLoop.makeSucceededVoidFuture() }
            }.get()
            guard let stream else { return }
            try? await stream.eventLoop.submit {
                stream.write(HTTP2Frame.FramePayload.headers(.init(headers: headers, endStream: false)), promise: nil)
                stream.writeAndFlush(HTTP2Frame.FramePayload.rstStream(.cancel), promise: nil)
            }.get()
        }
    }

    public func close() async {
        try? await channel.close()
    }

    final class StreamCollector: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame.FramePayload
        let promise: EventLoopPromise<Response>
        var response = Response(status: nil, headers: [:], body: "", resetCode: nil)
        var finished = false
        init(promise: EventLoopPromise<Response>) { self.promise = promise }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .headers(let h):
                if let status = h.headers.first(name: ":status").flatMap({ Int($0) }), status >= 200 {
                    response.status = status
                    response.headers = h.headers
                }
                if h.endStream { finish() }
            case .data(let d):
                if case .byteBuffer(let buffer) = d.data { response.body += String(buffer: buffer) }
                if d.endStream { finish() }
            case .rstStream(let code):
                response.resetCode = code
                finish()
            default:
                break
            }
        }

        func finish() {
            guard !finished else { return }
            finished = true
            promise.succeed(response)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !finished {
                finished = true
                if response.resetCode == nil && response.status == nil {
                    promise.fail(ChannelError.eof)
                } else {
                    promise.succeed(response)
                }
            }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if case let reset as NIOHTTP2Errors.StreamClosed = error {
                response.resetCode = reset.errorCode
                finish()
            }
            context.fireErrorCaught(error)
        }
    }
}
