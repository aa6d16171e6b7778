import Foundation
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// Three `gateway run` processes share one limit through one real `redis-server` and are driven
/// together far above it for 10 s: the requests admitted by the fleet must be within ±3 % of what one
/// exact token bucket admits in that time, `burst + rate × seconds`.
@Suite("Rate limits, fleet accuracy") struct FleetAccuracyTests {
    /// Low enough that the offered load stays far above it even when the machine is busy with
    /// other tests: a dip below the limit would leave tokens unused and make the fleet look strict.
    static let rate = 20
    static let burst = 40
    static let seconds = 10.0
    static let gateways = 3
    /// Clients per gateway, each sending every ``interval``: 3 × 4 × 25/s = 300 requests a
    /// second offered, fifteen times the limit, without flooding a small machine.
    static let clientsPerGateway = 4
    static let interval = Duration.milliseconds(40)

    /// The Redis timeout is seconds long: this measures accuracy, and on a machine busy with
    /// other tests a slow answer must not become a 503 (the timeout has tests of its own).
    static func config(port: Int, upstream: Int, redis: String) -> String {
        """
        worker_threads 1;
        access_log off;
        listen 127.0.0.1:\(port);
        upstream app { server 127.0.0.1:\(upstream); }
        redis \(redis) { timeout 2s; }
        rate_limit fleet { rate \(rate)/s; burst \(burst); key route; store redis; on_store_error closed; }
        route /* { proxy app; rate_limit fleet; }
        """
    }

    struct Tally: Sendable {
        var admitted = 0
        var limited = 0
        var other: [Int] = []
        /// When the last request was sent.
        var lastSent: ContinuousClock.Instant?

        mutating func add(_ other: Tally) {
            admitted += other.admitted
            limited += other.limited
            self.other += other.other
            lastSent = [lastSent, other.lastSent].compactMap { $0 }.max()
        }
    }

    /// One client of one gateway: a request every ``interval`` from `start` until `end`.
    static func drive(_ client: KeepAliveClient, from start: ContinuousClock.Instant, until end: ContinuousClock.Instant) async throws -> Tally {
        var tally = Tally()
        var next = start
        while next < end {
            tally.lastSent = ContinuousClock.now
            let status = try await client.request(path: "/fleet").status
            switch status {
            case 200: tally.admitted += 1
            case 429: tally.limited += 1
            default: tally.other.append(status)
            }
            next += interval
            try await Task.sleep(until: next, clock: .continuous)
        }
        return tally
    }

    @Test func threeGatewaysOnOneRedisAdmitWithinThreePercentOfTheLimit() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let redis = try await TestRedis(group: group)
        let upstream = try await TestUpstream(group: group)
        var processes: [GatewayProcess] = []
        var files: [ConfigFile] = []
        var ports: [Int] = []
        defer { for file in files { file.remove() } }
        do {
            for _ in 0..<Self.gateways {
                let port = try await GatewayProcess.freePort(group: group)
                let file = try ConfigFile(Self.config(port: port, upstream: upstream.port, redis: redis.url))
                files.append(file)
                ports.append(port)
                processes.append(try GatewayProcess(arguments: ["run", "--config", file.path]))
            }
            for (process, port) in zip(processes, ports) {
                let listening = await process.waitForOutput("127.0.0.1:\(port)")
                let connected = await process.waitForOutput("redis connected")
                #expect(listening && connected, "gateway did not start: \(process.text)")
            }

            var clients: [KeepAliveClient] = []
            for port in ports {
                for _ in 0..<Self.clientsPerGateway { clients.append(try await KeepAliveClient.connect(port: port, group: group)) }
            }
            // The window is from the first request sent to the last one sent: the time each takes
            // to reach Redis shifts both ends alike, while a slow answer after the end adds nothing.
            let start = ContinuousClock.now
            let end = start + .seconds(Self.seconds)
            let tally = try await withThrowingTaskGroup(of: Tally.self) { tasks in
                for client in clients {
                    tasks.addTask { try await Self.drive(client, from: start, until: end) }
                }
                return try await tasks.reduce(into: Tally()) { $0.add($1) }
            }
            for client in clients { await client.close() }
            let elapsed = (tally.lastSent ?? start) - start
            let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

            let expected = Double(Self.burst) + Double(Self.rate) * elapsedSeconds
            let error = (Double(tally.admitted) - expected) / expected
            print(
                "fleet accuracy: \(Self.gateways) gateways admitted \(tally.admitted) of \(tally.admitted + tally.limited) "
                    + "in \(String(format: "%.2f", elapsedSeconds)) s; burst + rate × seconds = \(String(format: "%.0f", expected)); "
                    + "error \(String(format: "%+.2f", error * 100)) %")
            #expect(tally.other.isEmpty, "unexpected statuses: \(tally.other.prefix(10))")
            #expect(tally.limited > 2 * tally.admitted, "the fleet was not driven well above the limit")
            #expect(abs(error) <= 0.03, "admitted \(tally.admitted), expected \(expected)")
            #expect(upstream.requestCount == tally.admitted)
        } catch {
            for process in processes { await process.stop() }
            try await upstream.stop()
            redis.kill()
            try await group.shutdownGracefully()
            throw error
        }
        for process in processes { #expect(await process.stop() == 0) }
        try await upstream.stop()
        redis.kill()
        try await group.shutdownGracefully()
    }
}
