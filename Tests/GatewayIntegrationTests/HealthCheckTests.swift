import GatewayCore
@testable import GatewayServer
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Active health checks through the real server: real upstreams answering (or refusing) probes
/// on ephemeral ports, verdicts observed through the log, `/metrics` and where traffic goes.
@Suite("Active health checks") struct HealthCheckTests {
    static let probePath = "/healthz"

    /// Polls (bounded: 400 × 25 ms) until `condition` holds.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<400 {
            if try await condition() { return true }
            try await Task.sleep(nanoseconds: 25_000_000)
        }
        return false
    }

    /// Requests an upstream received that were not probes.
    static func traffic(_ upstream: TestUpstream) -> Int {
        upstream.requests.filter { $0.head.uri != probePath }.count
    }

    static func probes(_ upstream: TestUpstream) -> [TestUpstream.Request] {
        upstream.requests.filter { $0.head.uri == probePath }
    }

    /// Upstream `i` answers probes 200 while `healthy[i]`, else 503; everything else 200 "ok".
    static func responder(_ healthy: NIOLockedValueBox<[Bool]>) -> @Sendable (Int) -> TestUpstream.Responder {
        { index in
            { request in
                guard request.head.uri == probePath else { return .init(body: "ok") }
                return healthy.withLockedValue { $0[index] } ? .init(body: "fine") : .init(status: .serviceUnavailable, body: "sick")
            }
        }
    }

    static let fastCheck = HealthCheck(
        kind: .http(path: probePath, host: "health.test", expect: [200...299]), interval: .milliseconds(100), timeout: .seconds(2),
        healthyThreshold: 2, unhealthyThreshold: 2, jitterPercent: 20)

    static func sample(_ gateway: TestGateway, _ name: String, _ labels: [String: String]) async throws -> Double? {
        try PrometheusParser.parse(await gateway.server.metricsText()).first { $0.name == name && $0.labels == labels }?.value
    }

    /// A server whose health endpoint fails is marked down and gets no request while the others
    /// serve every one; once it passes again it is marked up and gets traffic again.
    @Test func aFailingServerGetsNoTrafficUntilItRecovers() async throws {
        let healthy = NIOLockedValueBox([true, true, true])
        let log = CapturedLog()
        try await withUpstreamGroup(3, threads: 2, logger: log.logger, responder: Self.responder(healthy), configure: {
            $0.healthCheck = Self.fastCheck
        }) { upstreams, gateway, group in
            #expect(try await Self.eventually { upstreams.allSatisfy { !Self.probes($0).isEmpty } })
            let probe = try #require(Self.probes(upstreams[0]).first)
            #expect(probe.head.method == .GET)
            #expect(probe.head.headers["Host"] == ["health.test"])
            #expect(probe.head.headers["Connection"] == ["close"])

            // Traffic first, so that both event loops have pools the verdict is pushed to.
            for _ in 0..<6 {
                let status = try await get(port: gateway.port, group: group)
                #expect(status == 200)
            }
            #expect(Self.traffic(upstreams[2]) > 0)
            healthy.withLockedValue { $0[2] = false }
            let sick = "server=127.0.0.1:\(upstreams[2].port)"
            #expect(try await Self.eventually { log.messages.contains { $0.contains("upstream server unhealthy") && $0.contains(sick) } })
            #expect(log.messages.contains { $0.contains("upstream server unhealthy") && $0.contains("status 503") })
            let before = Self.traffic(upstreams[2])
            for _ in 0..<30 {
                let status = try await get(port: gateway.port, group: group)
                #expect(status == 200)
            }
            #expect(Self.traffic(upstreams[2]) == before, "a server held down by its health check got requests")
            #expect(Self.traffic(upstreams[0]) > 0 && Self.traffic(upstreams[1]) > 0)
            let server = "127.0.0.1:\(upstreams[2].port)"
            #expect(try await Self.sample(gateway, "gateway_upstream_server_healthy", ["upstream": "app", "server": server]) == 0)
            #expect(try await Self.sample(gateway, "gateway_upstream_server_healthy", ["upstream": "app", "server": "127.0.0.1:\(upstreams[0].port)"]) == 1)
            let failures = try await Self.sample(gateway, "gateway_upstream_health_checks_total", ["upstream": "app", "server": server, "result": "failure"])
            #expect((failures ?? 0) >= 2)

            healthy.withLockedValue { $0[2] = true }
            #expect(try await Self.eventually { log.messages.contains { $0.contains("upstream server healthy") && $0.contains(sick) } })
            var statuses: Set<Int> = []
            let back = try await Self.eventually {
                statuses.insert(try await get(port: gateway.port, group: group))
                return Self.traffic(upstreams[2]) > before
            }
            #expect(back)
            #expect(statuses == [200])
            #expect(try await Self.sample(gateway, "gateway_upstream_server_healthy", ["upstream": "app", "server": server]) == 1)
        }
    }

    /// With every server held down there is no server to send to: 503 at once, as for an
    /// upstream with no server left (no fail-open to servers a probe just saw fail).
    @Test func everyServerDownAnswers503() async throws {
        let healthy = NIOLockedValueBox([true, true])
        let log = CapturedLog()
        try await withUpstreamGroup(2, logger: log.logger, responder: Self.responder(healthy), configure: {
            $0.healthCheck = Self.fastCheck
        }) { upstreams, gateway, group in
            healthy.withLockedValue { $0 = [false, false] }
            #expect(try await Self.eventually { log.messages.filter { $0.contains("upstream server unhealthy") }.count == 2 })
            let before = upstreams.map(Self.traffic)
            let status = try await get(port: gateway.port, group: group)
            #expect(status == 503)
            #expect(upstreams.map(Self.traffic) == before)
        }
    }

    /// A TCP check finds a port that refuses connections down, so requests stop trying it
    /// (no more failed connects) while the listening servers stay up.
    @Test func tcpCheckTakesARefusingPortOut() async throws {
        let refusing = try RefusingPort()
        let log = CapturedLog()
        try await withUpstreamGroup(2, extraPorts: [refusing.port], logger: log.logger, configure: {
            $0.healthCheck = HealthCheck(kind: .tcp, interval: .milliseconds(100), timeout: .seconds(2), healthyThreshold: 1, unhealthyThreshold: 1)
        }) { upstreams, gateway, group in
            let down = "server=127.0.0.1:\(refusing.port)"
            #expect(try await Self.eventually { log.messages.contains { $0.contains("upstream server unhealthy") && $0.contains(down) } })
            #expect(log.messages.contains { $0.contains("upstream server unhealthy") && $0.contains("connect failed") })
            for _ in 0..<20 {
                let status = try await get(port: gateway.port, group: group)
                #expect(status == 200)
            }
            #expect(try await Self.sample(gateway, "gateway_upstream_connect_errors_total", ["upstream": "app"]) ?? 0 == 0)
            #expect(upstreams.allSatisfy { $0.requestCount > 0 })
            #expect(!log.messages.contains { $0.contains("upstream server unhealthy") && !$0.contains(down) })
            #expect(try await Self.sample(gateway, "gateway_upstream_server_healthy", ["upstream": "app", "server": "127.0.0.1:\(refusing.port)"]) == 0)
        }
    }

    /// Probes of an upstream with `tls` speak TLS with its settings: verified against the CA and
    /// name they trust (a probe arrives over TLS), refused when the name does not match.
    @Test func probesUseTheUpstreamTLSSettings() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let certificates = try TestCertificates()
        let upstream = try await UpstreamTLSTests.secureUpstream(certificates, group: group)
        let log = CapturedLog()
        var gateways: [TestGateway] = []
        do {
            for name in ["api.internal", "wrong.internal"] {
                let spec = UpstreamSpec(
                    name: name, servers: [UpstreamServer(host: "127.0.0.1", port: upstream.port)],
                    tls: UpstreamTLS(caFile: certificates.caCertificate, serverName: name), healthCheck: Self.fastCheck)
                let plan = TestPlans.plan(
                    listeners: [ListenerSpec(host: "127.0.0.1", port: 0)], upstreams: [spec],
                    routes: [Route(path: .prefix("/"), action: .proxy(ProxyTarget(upstream: name)))])
                gateways.append(try await TestGateway(plan: plan, logger: log.logger))
            }
            #expect(try await Self.eventually { Self.probes(upstream).count >= 3 })
            #expect(try await Self.eventually { log.messages.contains { $0.contains("upstream server unhealthy") && $0.contains("TLS handshake failed") } })
            #expect(!log.messages.contains { $0.contains("upstream server unhealthy") && $0.contains("upstream=api.internal") })
        } catch {
            for gateway in gateways { await gateway.stop() }
            try? await upstream.stop()
            try await group.shutdownGracefully()
            certificates.remove()
            throw error
        }
        for gateway in gateways { await gateway.stop() }
        try await upstream.stop()
        try await group.shutdownGracefully()
        certificates.remove()
    }

    static func config(ports: [Int], keepalive: Int) -> String {
        """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0;
        upstream app {
            \(ports.map { "server 127.0.0.1:\($0);" }.joined(separator: "\n    "))
            keepalive \(keepalive);
            health_check { path \(probePath); interval 100ms; timeout 2s; healthy_threshold 2; unhealthy_threshold 2; }
        }
        route /* { proxy app; }
        """
    }

    /// A reload keeps the checker (and verdict) of every server whose upstream, address and check
    /// are unchanged, even when the upstream's pools are rebuilt: a down server stays down right
    /// after the reload. A server the new plan drops loses its checker; shutdown stops the rest.
    @Test func verdictsSurviveReloadAndCheckersStopAtShutdown() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let healthy = NIOLockedValueBox([true, true, true])
        let log = CapturedLog()
        var upstreams: [TestUpstream] = []
        var file: ConfigFile?
        var gateway: TestGateway?
        do {
            for i in 0..<3 { upstreams.append(try await TestUpstream(group: group, responder: Self.responder(healthy)(i))) }
            let ports = upstreams.map(\.port)
            let config = try ConfigFile(Self.config(ports: ports, keepalive: 8))
            file = config
            let running = try await TestGateway(file: config, logger: log.logger)
            gateway = running
            #expect(running.server.healthChecks.count == 3)
            healthy.withLockedValue { $0[1] = false }
            #expect(try await Self.eventually { log.contains("upstream server unhealthy") })

            // A changed keepalive rebuilds the pools; the checkers' keys are unchanged.
            try config.write(Self.config(ports: ports, keepalive: 16))
            #expect(await running.server.reload().succeeded)
            let before = Self.traffic(upstreams[1])
            for _ in 0..<20 {
                let status = try await get(port: running.port, group: group)
                #expect(status == 200)
            }
            #expect(Self.traffic(upstreams[1]) == before, "the down server got requests right after the reload")
            #expect(running.server.healthChecks.count == 3)
            let probesAfterReload = Self.probes(upstreams[1]).count
            #expect(try await Self.eventually { Self.probes(upstreams[1]).count >= probesAfterReload + 3 })
            #expect(log.messages.filter { $0.contains("upstream server unhealthy") }.count == 1, "the checker started over")

            // Dropping a server stops its checker.
            try config.write(Self.config(ports: [ports[0], ports[2]], keepalive: 16))
            #expect(await running.server.reload().succeeded)
            #expect(running.server.healthChecks.count == 2)

            await running.stop()
            gateway = nil
            #expect(running.server.healthChecks.count == 0)
        } catch {
            await gateway?.stop()
            file?.remove()
            for upstream in upstreams { try? await upstream.stop() }
            try await group.shutdownGracefully()
            throw error
        }
        file?.remove()
        for upstream in upstreams { try await upstream.stop() }
        try await group.shutdownGracefully()
    }
}
