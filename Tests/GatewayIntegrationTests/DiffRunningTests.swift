import Foundation
import GatewayConfig
import GatewayServer
import GatewayTestSupport
import NIOPosix
import Testing

/// `gateway check --diff-running` against the real binary: the plan the process serves, fetched
/// from its admin listener, compared with a new file.
@Suite("Diff against the running gateway") struct DiffRunningTests {
    static let token = "diff-admin-token-0123456789"

    static func running(admin: Int) -> String {
        """
        worker_threads 1;
        access_log off;
        listen 127.0.0.1:0;
        admin 127.0.0.1:\(admin) { token "\(token)"; }
        upstream app { server 127.0.0.1:9; }
        route /version { respond 200 "one"; }
        route /api/* { proxy app; }
        route /old { respond 410; }
        """
    }

    /// No admin block of its own: the running gateway is named with `--admin`.
    static let next = """
        worker_threads 1;
        access_log off;
        listen 127.0.0.1:0;
        upstream app { server 127.0.0.1:9; keepalive 4; }
        route /version { respond 200 "two"; }
        route /api/* { proxy app; limits { body 1k; mode shadow; } }
        route /new { respond 204; }
        """

    @Test func newFileIsComparedWithTheServingPlan() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let port = try await GatewayProcess.freePort(group: group)
        let current = try ConfigFile(Self.running(admin: port))
        let candidate = try ConfigFile(Self.next)
        let gateway = try GatewayProcess(arguments: ["run", "--config", current.path])
        let started = await GatewayProcessTests.readiness(port: port, group: group) { $0.contains(#""generation":1"#) }
        #expect(started != nil, "gateway did not become ready: \(gateway.text)")

        let admin = "127.0.0.1:\(port)"
        let diff = try Subprocess.run(
            [GatewayProcess.binary, "check", "--diff-running", "--config", candidate.path, "--admin", admin],
            environment: ["GATEWAY_ADMIN_TOKEN": Self.token])
        #expect(diff.status == 0, "\(diff.output)")
        let expected = "running: generation 1 at admin \(admin); new: \(candidate.path)\n"
            + PlanDiff.render(from: try current.plan(), to: try candidate.plan())
        #expect(diff.output == expected)
        #expect(diff.output.contains("  + /new (\(candidate.path):7:1)"))
        #expect(diff.output.contains("  - /old (was \(current.path):8:1)"))
        #expect(diff.output.contains("+   limits: body 1k; mode shadow"))

        // The running file itself: nothing to change. Its own admin block names the listener.
        let same = try Subprocess.run([GatewayProcess.binary, "check", "--diff-running", "--config", current.path])
        #expect(same.status == 0, "\(same.output)")
        #expect(same.output.hasSuffix("summary: no changes; a reload would only raise the generation\n"))

        let unauthorized = try Subprocess.run(
            [GatewayProcess.binary, "check", "--diff-running", "--config", candidate.path, "--admin", admin],
            environment: ["GATEWAY_ADMIN_TOKEN": "wrong-token-0123456789abcdef"])
        #expect(unauthorized.status == 1)
        #expect(unauthorized.output.contains("the admin listener at \(admin) answered 401"))

        let noAdmin = try Subprocess.run([GatewayProcess.binary, "check", "--diff-running", "--config", candidate.path])
        #expect(noAdmin.status == 1)
        #expect(noAdmin.output.contains("has no 'admin' listener to ask"))

        #expect(await gateway.stop() == 0)
        try await group.shutdownGracefully()
        current.remove()
        candidate.remove()
    }

    @Test func outlineSurvivesTheTripThroughJSON() throws {
        let plan = try ConfigText.plan(ConfigText.base(upstream: 9) + "route /a/* { proxy app; cors { origins https://x.example; mode shadow; } }\n")
        let sent = RunningPlanOutline(generation: 7, plan: PlanOutline(plan))
        #expect(try RunningPlanOutline(json: sent.json()) == sent)
        #expect(throws: RunningPlanOutline.Unreadable.self) { try RunningPlanOutline(json: "{}") }
    }
}
