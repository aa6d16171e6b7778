import GatewayServer
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Fifty reloads (two valid configurations and an invalid one, in turn) while HTTP/1.1 keep-alive
/// connections, HTTP/2 streams and an open WebSocket carry traffic: no request fails, no
/// connection drops, the invalid file is refused with its location, and the generation in
/// `/metrics` counts exactly the reloads that were applied.
@Suite("Reload under load") struct ReloadUnderLoadTests {
    static func config(version: String, upstream: Int, websocket: Int, keepalive: Int) -> String {
        """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0 { http2 on; }
        upstream app { server 127.0.0.1:\(upstream); keepalive \(keepalive); }
        upstream ws { server 127.0.0.1:\(websocket); }
        route /version { respond 200 "\(version)"; }
        route /ws/* { proxy ws; websocket on; }
        route /* { proxy app; }
        """
    }

    /// Line 5 names an upstream that does not exist.
    static let invalid = """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0 { http2 on; }
        upstream app { server 127.0.0.1:1; }
        route /* { proxy nowhere; }
        """

    /// What one kind of traffic did: answers as expected, and everything else.
    struct Tally: Sendable {
        var ok = 0
        var failed: [String] = []
    }

    /// Repeats `exchange` until `stop`, counting; an error ends the loop (the connection is gone).
    static func drive(_ stop: NIOLockedValueBox<Bool>, _ tally: NIOLockedValueBox<Tally>, _ exchange: @escaping @Sendable (Int) async throws -> String?) -> Task<Void, Never> {
        Task {
            var round = 0
            while !stop.withLockedValue({ $0 }) {
                round += 1
                do {
                    let problem = try await exchange(round)
                    tally.withLockedValue { if let problem { $0.failed.append(problem) } else { $0.ok += 1 } }
                } catch {
                    tally.withLockedValue { $0.failed.append("\(error)") }
                    return
                }
            }
        }
    }

    @Test func fiftyReloadsUnderHTTP1HTTP2AndWebSocketTraffic() async throws {
        try await WebSocketEchoServer.with { echo, group in
            let upstream = try await TestUpstream(group: group) { _ in .init(body: "up") }
            let text = { (version: String, keepalive: Int) in
                Self.config(version: version, upstream: upstream.port, websocket: echo.port, keepalive: keepalive)
            }
            let file = try ConfigFile(text("a", 8))
            let gateway = try await TestGateway(file: file)
            let stop = NIOLockedValueBox(false)
            let http1 = NIOLockedValueBox(Tally())
            let http2 = NIOLockedValueBox(Tally())
            let websocket = NIOLockedValueBox(Tally())

            let keepAlive = try await [KeepAliveClient.connect(port: gateway.port, group: group), KeepAliveClient.connect(port: gateway.port, group: group)]
            let h2 = try await H2TestClient.connect(port: gateway.port, group: group)
            let socket = try await ByteClient.connect(port: gateway.port, group: group)
            try await socket.send(Array(WebSocketTests.handshake(path: "/ws/live").utf8))
            #expect(try await socket.readHead().hasPrefix("HTTP/1.1 101"))

            var tasks = keepAlive.map { client in
                Self.drive(stop, http1) { _ in
                    let response = try await client.request(path: "/items")
                    return response.status == 200 && response.body == "up" ? nil : "HTTP/1.1 \(response.status) \(response.body)"
                }
            }
            for _ in 0..<2 {
                tasks.append(
                    Self.drive(stop, http2) { _ in
                        let response = try await h2.request(path: "/items", scheme: "http")
                        return response.status == 200 && response.body == "up" ? nil : "h2 \(String(describing: response.status)) \(response.body) \(String(describing: response.resetCode))"
                    })
            }
            tasks.append(
                Self.drive(stop, websocket) { round in
                    let word = "m\(round)"
                    try await socket.send(WebSocketTests.clientFrame(word))
                    let echoed = try await socket.read(count: WebSocketTests.serverFrame(word).count)
                    return echoed == WebSocketTests.serverFrame(word) ? nil : "WebSocket echo \(echoed)"
                })

            let probe = try await KeepAliveClient.connect(port: gateway.port, group: group)
            var generation = 1
            var applied = 0
            var refused = 0
            for round in 0..<50 {
                if round % 3 == 2 {
                    try file.write(Self.invalid)
                    let outcome = await gateway.server.reload()
                    refused += 1
                    guard case .refused(let kept, let report) = outcome else {
                        Issue.record("round \(round): the invalid file was installed")
                        break
                    }
                    #expect(kept == generation)
                    #expect(report.contains("\(file.path):5:"))
                    #expect(report.contains("nowhere"))
                } else {
                    let version = round % 3 == 0 ? "b" : "a"
                    try file.write(text(version, round % 3 == 0 ? 16 : 8))
                    let outcome = await gateway.server.reload()
                    generation += 1
                    applied += 1
                    #expect(outcome.succeeded, "round \(round)")
                    #expect(outcome.generation == generation)
                    #expect(try await probe.request(path: "/version").body == version)
                }
                // Every kind of traffic crosses this plan before the next reload (bounded wait).
                let before = [http1, http2, websocket].map { $0.withLockedValue(\.ok) }
                for _ in 0..<400 {
                    let now = [http1, http2, websocket].map { $0.withLockedValue(\.ok) }
                    if zip(before, now).allSatisfy({ $0 < $1 }) { break }
                    try await Task.sleep(nanoseconds: 5_000_000)
                }
            }
            stop.withLockedValue { $0 = true }
            for task in tasks { await task.value }

            let figures = [("HTTP/1.1", http1), ("h2", http2), ("WebSocket", websocket)].map { ($0.0, $0.1.withLockedValue { $0 }) }
            for (kind, tally) in figures {
                #expect(tally.failed.isEmpty, "\(kind): \(tally.failed.prefix(5))")
                #expect(tally.ok >= 50, "\(kind) answered only \(tally.ok) during 50 reloads")
            }
            // The same connections are still open and serving on the last plan.
            #expect(try await keepAlive[0].request(path: "/items").status == 200)
            #expect(try await h2.request(path: "/items", scheme: "http").status == 200)
            try await socket.send(WebSocketTests.clientFrame("last"))
            #expect(try await socket.read(count: WebSocketTests.serverFrame("last").count) == WebSocketTests.serverFrame("last"))

            let samples = try PrometheusParser.parse(await gateway.server.metricsText())
            #expect(samples.first { $0.name == "gateway_config_generation" }?.value == Double(generation))
            #expect(samples.first { $0.name == "gateway_config_reloads_total" && $0.labels["result"] == "ok" }?.value == Double(applied))
            #expect(samples.first { $0.name == "gateway_config_reloads_total" && $0.labels["result"] == "failed" }?.value == Double(refused))
            #expect(generation == 1 + 34 && refused == 16)
            print(
                "reload under load: 50 reloads (\(applied) applied, \(refused) refused, generation \(generation)); answered "
                    + figures.map { "\($0.1.ok) \($0.0)" }.joined(separator: ", ") + "; failed "
                    + String(figures.map { $0.1.failed.count }.reduce(0, +)))

            for client in keepAlive { await client.close() }
            await probe.close()
            await h2.close()
            try await socket.close()
            await gateway.stop()
            try await upstream.stop()
            file.remove()
        }
    }
}
