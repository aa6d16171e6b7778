import GatewayCore
import GatewayTestSupport
import Logging
import NIOCore
import NIOPosix

/// Starts `count` test upstreams (upstream `i` answers through `responder(i)`) and the gateway
/// proxying everything to them (and to the servers on `extraPorts`) as upstream `app`, runs
/// `body`, stops them all.
func withUpstreamGroup(
    _ count: Int,
    threads: Int = 1,
    extraPorts: [Int] = [],
    logger: Logger? = nil,
    responder: @escaping @Sendable (Int) -> TestUpstream.Responder = { _ in { _ in .init(body: "ok") } },
    configure: (inout UpstreamSpec) -> Void,
    _ body: ([TestUpstream], TestGateway, MultiThreadedEventLoopGroup) async throws -> Void
) async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    var upstreams: [TestUpstream] = []
    var gateway: TestGateway?
    do {
        for i in 0..<count { upstreams.append(try await TestUpstream(group: group, responder: responder(i))) }
        let plan = TestPlans.proxy(to: upstreams.map(\.port) + extraPorts, upstream: configure) { $0.workerThreads = threads }
        gateway = try await TestGateway(plan: plan, logger: logger)
        try await body(upstreams, gateway!, group)
    } catch {
        await gateway?.stop()
        for upstream in upstreams { try? await upstream.stop() }
        try await group.shutdownGracefully()
        throw error
    }
    await gateway?.stop()
    for upstream in upstreams { try await upstream.stop() }
    try await group.shutdownGracefully()
}

/// One `GET path` on its own connection, with extra header lines; the status (0 if none came).
func get(_ path: String = "/", headers: [String] = [], port: Int, group: any EventLoopGroup) async throws -> Int {
    let extra = headers.map { $0 + "\r\n" }.joined()
    let result = try await RawClient.send(
        ["GET \(path) HTTP/1.1\r\nHost: test\r\n\(extra)Connection: close\r\n\r\n"], port: port, group: group, waitForClose: true)
    return result.responses.first?.status ?? 0
}
