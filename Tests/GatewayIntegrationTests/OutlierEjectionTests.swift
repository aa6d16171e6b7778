import GatewayCore
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@Suite("Outlier ejection") struct OutlierEjectionTests {
    /// A server answering 5xx is ejected after `consecutive_failures` and gets no request until
    /// its ejection time has passed; then it is tried again.
    @Test func aServerAnswering5xxIsEjectedForTheEjectionTime() async throws {
        let failing = NIOLockedValueBox(true)
        let badRequestTimes = NIOLockedValueBox<[ContinuousClock.Instant]>([])
        let responder: @Sendable (Int) -> TestUpstream.Responder = { index in
            { _ in
                guard index == 2 else { return .init(body: "ok") }
                badRequestTimes.withLockedValue { $0.append(.now) }
                return failing.withLockedValue { $0 } ? .init(status: .internalServerError, body: "broken") : .init(body: "ok")
            }
        }
        let log = CapturedLog()
        try await withUpstreamGroup(3, logger: log.logger, responder: responder, configure: {
            $0.outlierDetection = OutlierDetection(
                consecutiveFailures: 2, baseEjectionTime: .seconds(3), maxEjectionTime: .seconds(3), maxEjectedPercent: 50)
        }) { upstreams, gateway, group in
            var statuses: [Int] = []
            for _ in 0..<30 where upstreams[2].requestCount < 2 {
                statuses.append(try await get(port: gateway.port, group: group))
            }
            #expect(upstreams[2].requestCount == 2)
            #expect(statuses.filter { $0 == 500 }.count == 2)
            #expect(log.contains("upstream server ejected"))
            failing.withLockedValue { $0 = false }
            let ejectedBy = ContinuousClock.now
            let othersBefore = upstreams[0].requestCount + upstreams[1].requestCount
            // Traffic goes on; the ejected server is readmitted only once its time is up.
            let deadline = ContinuousClock.now + .seconds(30)
            while upstreams[2].requestCount < 3, ContinuousClock.now < deadline {
                let status = try await get(port: gateway.port, group: group); #expect(status == 200)
                try await Task.sleep(for: .milliseconds(50))
            }
            let back = try #require(badRequestTimes.withLockedValue { $0.count > 2 ? $0[2] : nil })
            #expect(back - ejectedBy >= .seconds(2), "readmitted after \(back - ejectedBy)")
            #expect(upstreams[0].requestCount + upstreams[1].requestCount > othersBefore)
            #expect(log.contains("upstream server readmitted"))
        }
    }

    /// One server killed mid-run: idempotent requests see no error (stale keep-alive connections
    /// and refused connects are retried on another server), the dead one is ejected, and after it
    /// restarts on its port it is readmitted and serves again.
    @Test func aKilledServerIsEjectedAndReadmittedAfterItRestarts() async throws {
        let log = CapturedLog()
        try await withUpstreamGroup(3, threads: 2, logger: log.logger, configure: {
            $0.outlierDetection = OutlierDetection(
                consecutiveFailures: 1, baseEjectionTime: .seconds(1), maxEjectionTime: .seconds(1), maxEjectedPercent: 50)
        }) { upstreams, gateway, group in
            for _ in 0..<12 { let status = try await get(port: gateway.port, group: group); #expect(status == 200) }
            #expect(upstreams.allSatisfy { $0.requestCount > 0 })
            let port = upstreams[1].port
            try await upstreams[1].kill()
            for _ in 0..<30 { let status = try await get(port: gateway.port, group: group); #expect(status == 200) }
            #expect(log.contains("upstream server ejected") && log.messages.contains { $0.contains("server=127.0.0.1:\(port)") })
            let restarted = try await TestUpstream(group: group, port: port)
            do {
                let deadline = ContinuousClock.now + .seconds(30)
                while restarted.requestCount == 0, ContinuousClock.now < deadline {
                    let status = try await get(port: gateway.port, group: group); #expect(status == 200)
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(restarted.requestCount > 0)
                #expect(log.contains("upstream server readmitted"))
            } catch {
                try await restarted.stop()
                throw error
            }
            try await restarted.stop()
        }
    }
}
