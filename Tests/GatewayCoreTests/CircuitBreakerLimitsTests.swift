import GatewayCore
import Testing

struct CircuitBreakerLimitsTests {
    @Test(arguments: [(100, 1, 100), (100, 2, 50), (101, 2, 51), (3, 4, 1), (1, 8, 1)])
    func eachLoopEnforcesItsShare(limit: Int, loops: Int, share: Int) {
        let limits = CircuitBreakerLimits(maxConnections: limit, maxPending: limit, maxRequests: limit).share(ofLoops: loops)
        #expect(limits == CircuitBreakerLimits(maxConnections: share, maxPending: share, maxRequests: share))
        #expect(CircuitBreakerLimits().share(ofLoops: loops) == CircuitBreakerLimits())
    }

    @Test(arguments: [(0, nil), (1, nil), (2, CircuitBreakerLimit.maxRequests), (5, .maxRequests)] as [(Int, CircuitBreakerLimit?)])
    func requestsOverTheLimitAreRefused(inFlight: Int, refusal: CircuitBreakerLimit?) {
        #expect(CircuitBreakerLimits(maxRequests: 2).refusesRequest(inFlight: inFlight) == refusal)
        #expect(CircuitBreakerLimits().refusesRequest(inFlight: inFlight) == nil)
    }

    /// open connections, pending → refusal (max_connections 4, max_pending 2).
    @Test(arguments: [
        (0, 0, nil), (3, 1, nil), (4, 0, CircuitBreakerLimit.maxConnections), (2, 2, .maxPending), (5, 5, .maxConnections),
    ] as [(Int, Int, CircuitBreakerLimit?)])
    func connectsOverTheLimitsAreRefused(open: Int, pending: Int, refusal: CircuitBreakerLimit?) {
        #expect(CircuitBreakerLimits(maxConnections: 4, maxPending: 2).refusesConnect(open: open, pending: pending) == refusal)
    }
}

struct UpstreamOverloadedResponseTests {
    @Test(arguments: [CircuitBreakerLimit.maxConnections, .maxPending, .maxRequests])
    func answers503WithRetryAfterAndTheLimitAsReason(limit: CircuitBreakerLimit) {
        let error = GatewayError.upstreamOverloaded(upstream: "api", limit: limit)
        let response = GatewayResponse.error(error, requestID: "r1")
        #expect(response.status == .serviceUnavailable)
        #expect(response.headers.first(name: "Retry-After") == "1")
        #expect(error.code == "upstream_overloaded")
        #expect(error.reason == limit.rawValue)
        #expect(!error.closesConnection)
    }
}
