import GatewayCore
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@Suite("Circuit breaking") struct CircuitBreakerTests {
    /// Two requests held by the upstream fill the limit; the next one is answered 503 with
    /// `Retry-After` by the gateway at once, and never reaches the upstream.
    @Test(arguments: [
        (CircuitBreakerLimits(maxRequests: 2), 2),
        (CircuitBreakerLimits(maxConnections: 2), 2),
        (CircuitBreakerLimits(maxPending: 5, maxRequests: 1), 1),
    ])
    func overTheLimitIsAFast503(limits: CircuitBreakerLimits, held: Int) async throws {
        let holder = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let release = holder.next().makePromise(of: Void.self)
        let gate = release.futureResult
        let released = NIOLockedValueBox(false)
        let releaseOnce = {
            if !released.withLockedValue({ done in defer { done = true }; return done }) { release.succeed(()) }
        }
        do {
            try await withUpstreamGroup(1, responder: { _ in { _ in .init(body: "ok", after: gate) } }, configure: { $0.limits = limits }) {
                upstreams, gateway, group in
                let waiting = (0..<held).map { _ in Task { try await get(port: gateway.port, group: group) } }
                let deadline = ContinuousClock.now + .seconds(30)
                while upstreams[0].requestCount < held, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(upstreams[0].requestCount == held)
                let started = ContinuousClock.now
                let result = try await RawClient.send(
                    ["GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"], port: gateway.port, group: group, waitForClose: true)
                let refused = try #require(result.responses.first)
                #expect(refused.status == 503)
                #expect(refused.header("Retry-After") == "1")
                #expect(refused.body.contains("upstream_overloaded"))
                #expect(ContinuousClock.now - started < .seconds(10))
                releaseOnce()
                for task in waiting {
                    let status = try await task.value
                    #expect(status == 200)
                }
                #expect(upstreams[0].requestCount == held)
            }
        } catch {
            releaseOnce()
            try await holder.shutdownGracefully()
            throw error
        }
        try await holder.shutdownGracefully()
    }
}
