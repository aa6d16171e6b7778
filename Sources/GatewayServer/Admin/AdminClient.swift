import GatewayCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// Talks to the admin listener of a running gateway (`gateway reload`, `gateway check
/// --diff-running`): one request, one
/// answer, on a connection of its own.
public enum AdminClient {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    /// `POST /reload`: the answer carries the new generation or the errors.
    public static func reload(_ admin: AdminSpec) async throws -> Response {
        try await send(.POST, "/reload", to: admin)
    }

    /// `GET /config/outline`: the plan the running gateway serves, with its generation.
    public static func runningPlan(_ admin: AdminSpec) async throws -> Response {
        try await send(.GET, "/config/outline", to: admin)
    }

    /// `POST /cache/purge`: removes one URL (`url`) or everything under `prefix`, from every
    /// cache or the one named; the answer says how many keys each cache lost.
    public static func purgeCache(_ admin: AdminSpec, url: String?, prefix: String?, cache: String?) async throws -> Response {
        try await send(.POST, "/cache/purge?" + CachePurgeRequest.query(url: url, prefix: prefix, cache: cache), to: admin)
    }

    /// Sends `method path` to the admin listener `admin` describes (a wildcard address is
    /// reached on the loopback address), with its bearer token when it has one.
    public static func send(_ method: HTTPMethod, _ path: String, to admin: AdminSpec, timeout: TimeAmount = .seconds(30)) async throws -> Response {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let host = admin.listener.isWildcard ? (admin.listener.bindHost == "::" ? "::1" : "127.0.0.1") : admin.listener.bindHost
        let promise = group.next().makePromise(of: Response.self)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AdminResponseCollector(promise: promise))
                }
            }
            .connect(host: host, port: admin.listener.port).get()
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: admin.listener.displayAddress)
        head.headers.add(name: "Content-Length", value: "0")
        head.headers.add(name: "Connection", value: "close")
        if let token = admin.token { head.headers.add(name: "Authorization", value: "Bearer " + token) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil))
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { promise.fail(ChannelError.connectTimeout(timeout)) }
        defer { deadline.cancel() }
        let response = try await promise.futureResult.get()
        try? await channel.close()
        return response
    }
}
