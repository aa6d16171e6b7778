import GatewayCore
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

/// Servers of which the very first request (whichever server gets it) is answered 503.
private func firstRequestBusy() -> @Sendable (Int) -> TestUpstream.Responder {
    let answered = NIOLockedValueBox(0)
    return { _ in
        { _ in
            let first = answered.withLockedValue { n in
                n += 1
                return n == 1
            }
            return first ? .init(status: .serviceUnavailable, body: "busy") : .init(body: "ok")
        }
    }
}

@Suite("Retries") struct RetryTests {
    /// A server that never answers: each request it gets is retried on another server once its
    /// per-try timeout passes, long before first_byte_timeout.
    @Test func aSlowServerIsLeftAfterThePerTryTimeout() async throws {
        let responder: @Sendable (Int) -> TestUpstream.Responder = { index in
            { _ in index == 0 ? .init(hang: true) : .init(body: "ok") }
        }
        try await withUpstreamGroup(3, responder: responder, configure: {
            $0.retry = RetryPolicy(retries: 1, perTryTimeout: .seconds(1), retryOn: [.connectFailure, .timeout])
            $0.firstByteTimeout = .seconds(60)
        }) { upstreams, gateway, group in
            for _ in 0..<6 {
                let started = ContinuousClock.now
                let status = try await get(port: gateway.port, group: group); #expect(status == 200)
                #expect(ContinuousClock.now - started < .seconds(30))
            }
            // Every request was answered once by a fast server; those that met the slow one first
            // were retried.
            #expect(upstreams[0].requestCount >= 1)
            #expect(upstreams[1].requestCount + upstreams[2].requestCount == 6)
        }
    }

    /// At most max(3, 20% of the requests in flight) are retries at once: ten concurrent
    /// requests to servers that never answer make ten first tries and three retries.
    @Test func theRetryBudgetBoundsRetries() async throws {
        try await withUpstreamGroup(2, responder: { _ in { _ in .init(hang: true) } }, configure: {
            $0.retry = RetryPolicy(retries: 1, perTryTimeout: .seconds(3), retryOn: [.timeout], budgetPercent: 20)
        }) { upstreams, gateway, group in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { tasks in
                for _ in 0..<10 { tasks.addTask { try await get(port: gateway.port, group: group) } }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 504, count: 10))
            #expect(upstreams.map(\.requestCount).reduce(0, +) == 13, "\(upstreams.map(\.requestCount))")
        }
    }

    /// A 503 listed in retry_on is retried for GET, never for POST (not idempotent).
    @Test(arguments: [("GET", 200, 2), ("POST", 503, 1), ("DELETE", 200, 2)])
    func listedStatusesAreRetriedForIdempotentMethodsOnly(method: String, status: Int, upstreamRequests: Int) async throws {
        let responder = firstRequestBusy()
        try await withUpstreamGroup(2, responder: responder, configure: {
            $0.retry = RetryPolicy(retries: 2, retryOn: [.status(503)])
        }) { upstreams, gateway, group in
            let body = method == "GET" ? "" : "hello"
            let result = try await RawClient.send(
                ["\(method) / HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"],
                port: gateway.port, group: group, waitForClose: true, methods: [HTTPMethod(rawValue: method)])
            #expect(result.responses.first?.status == status)
            #expect(upstreams.map(\.requestCount).reduce(0, +) == upstreamRequests)
            if method == "DELETE" { #expect(upstreams[1].requests.first?.body.readableBytes == 5) }
        }
    }

    /// A body larger than the kept limit is not re-sent.
    @Test func aLargeBodyIsNotRetried() async throws {
        let responder = firstRequestBusy()
        try await withUpstreamGroup(2, responder: responder, configure: {
            $0.retry = RetryPolicy(retries: 2, retryOn: [.status(503)])
        }) { upstreams, gateway, group in
            let body = String(repeating: "x", count: RetryPolicy.replayableBodyLimit + 1)
            let result = try await RawClient.send(
                ["PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"],
                port: gateway.port, group: group, waitForClose: true, methods: [.PUT])
            #expect(result.responses.first?.status == 503)
            #expect(upstreams.map(\.requestCount).reduce(0, +) == 1)
        }
    }
}
