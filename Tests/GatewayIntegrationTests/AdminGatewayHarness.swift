import GatewayTestSupport
import NIOPosix
import Testing

/// Runs `body` against a real gateway loaded from a `ConfigFile` (so reloads read it again) whose
/// configuration has an admin listener, with a test upstream and one keep-alive client on each
/// listener (admin first, then proxy); everything is stopped afterwards, also when `body` throws.
func withAdminGateway(
    token: String,
    config: (Int) -> String,
    upstream responder: @escaping TestUpstream.Responder,
    _ body: (TestGateway, ConfigFile, KeepAliveClient, KeepAliveClient, TestUpstream) async throws -> Void
) async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let upstream = try await TestUpstream(group: group, responder: responder)
    let file = try ConfigFile(config(upstream.port), environment: ["ADMIN_TOKEN": token])
    let gateway = try await TestGateway(file: file)
    let adminPort = try #require(gateway.server.adminAddress?.port)
    let admin = try await KeepAliveClient.connect(port: adminPort, group: group)
    let proxy = try await KeepAliveClient.connect(port: gateway.port, group: group)
    do {
        try await body(gateway, file, admin, proxy, upstream)
    } catch {
        Issue.record(error)
    }
    await admin.close()
    await proxy.close()
    await gateway.stop()
    try await upstream.stop()
    try await group.shutdownGracefully()
    file.remove()
}
