import GatewayConfig
import GatewayCore
import GatewayTestSupport
import NIOPosix
import Testing

/// Compiles `gateway.conf` text through the real loader (in-memory files), for tests of
/// policies as they are configured.
enum ConfigText {
    struct Missing: Error {}

    static func plan(_ text: String, files: [String: String] = [:], environment: [String: String] = [:]) throws -> GatewayPlan {
        var merged = files
        merged["gateway.conf"] = text
        let all = merged
        let result = ConfigLoader(environment: environment) { path in
            guard let content = all[path] else { throw Missing() }
            return content
        }.load(path: "gateway.conf")
        guard let plan = result.plan else {
            Issue.record("configuration failed:\n\(result.report)")
            throw Missing()
        }
        return plan
    }

    /// The common head of a test configuration: one worker, no access log, an ephemeral port,
    /// and upstream `app` on `port`.
    static func base(upstream port: Int) -> String {
        """
        worker_threads 1;
        access_log off;
        listen 127.0.0.1:0;
        upstream app { server 127.0.0.1:\(port); }

        """
    }
}

/// Runs `body` against a real gateway configured by `config(upstreamPort)` and a test upstream.
func withConfiguredGateway(
    upstream responder: @escaping TestUpstream.Responder = { _ in .init(body: "ok") },
    files: [String: String] = [:],
    _ config: (Int) -> String,
    _ body: (TestUpstream, TestGateway, MultiThreadedEventLoopGroup) async throws -> Void
) async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let upstream = try await TestUpstream(group: group, responder: responder)
    let gateway: TestGateway
    do {
        gateway = try await TestGateway(plan: ConfigText.plan(ConfigText.base(upstream: upstream.port) + config(upstream.port), files: files))
    } catch {
        try await upstream.stop()
        try await group.shutdownGracefully()
        throw error
    }
    try await runThenStop(upstream, gateway, group, body)
}

/// Runs `body`, then stops the gateway, the upstream and the event loops, also when it throws.
func runThenStop(
    _ upstream: TestUpstream,
    _ gateway: TestGateway,
    _ group: MultiThreadedEventLoopGroup,
    _ body: (TestUpstream, TestGateway, MultiThreadedEventLoopGroup) async throws -> Void
) async throws {
    do {
        try await body(upstream, gateway, group)
    } catch {
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        throw error
    }
    await gateway.stop()
    try await upstream.stop()
    try await group.shutdownGracefully()
}
