import GatewayCore
import GatewayPolicies
import Testing

/// The bucket arithmetic against a manual clock: each case is a limit and a script of steps
/// (advance the clock, then send requests of a cost), with the expected pass/refuse pattern.
@Suite struct TokenBucketTests {
    struct Step: Sendable {
        var after: Double
        var cost: Int = 1
        /// One character per request: `+` passes, `-` is refused.
        var expect: String
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var rate: Int
        var period: Int64 = 1_000_000_000
        var burst: Int
        var steps: [Step]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "burst at once, then refused", rate: 10, burst: 5, steps: [Step(after: 0, expect: "+++++---")]),
        Case(
            name: "refill is continuous: one token per 1/rate", rate: 10, burst: 5,
            steps: [
                Step(after: 0, expect: "+++++-"), Step(after: 0.099, expect: "-"), Step(after: 0.001, expect: "+-"),
                Step(after: 0.25, expect: "++-"),
            ]),
        Case(
            name: "sustained rate after the burst", rate: 100, burst: 1,
            steps: (0..<50).map { _ in Step(after: 0.01, expect: "+-") }),
        Case(
            name: "refill stops at burst", rate: 10, burst: 3,
            steps: [Step(after: 0, expect: "+++-"), Step(after: 60, expect: "+++-")]),
        Case(
            name: "fractional rate: 1 per minute", rate: 1, period: 60_000_000_000, burst: 2,
            steps: [Step(after: 0, expect: "++-"), Step(after: 59.999, expect: "-"), Step(after: 0.001, expect: "+-")]),
        Case(
            name: "fractional rate: 3 per second is one every third of a second", rate: 3, burst: 1,
            steps: [Step(after: 0, expect: "+-"), Step(after: 0.3, expect: "-"), Step(after: 0.0334, expect: "+-")]),
        Case(
            name: "cost takes several tokens", rate: 10, burst: 10,
            steps: [Step(after: 0, cost: 4, expect: "++-"), Step(after: 0, cost: 2, expect: "+-"), Step(after: 0.2, cost: 2, expect: "+-")]),
        Case(
            name: "a refused costly request takes nothing", rate: 10, burst: 5,
            steps: [Step(after: 0, cost: 3, expect: "+-"), Step(after: 0, cost: 1, expect: "++-")]),
        Case(
            name: "cost above burst never passes", rate: 10, burst: 2,
            steps: [Step(after: 0, cost: 3, expect: "-"), Step(after: 100, cost: 3, expect: "-")]),
    ]

    @Test(arguments: cases)
    func pattern(_ c: Case) {
        let parameters = TokenBucket.Parameters(rate: c.rate, periodNanos: c.period, burst: c.burst)
        var clock = ManualClock()
        var bucket = TokenBucket(parameters: parameters, now: clock.now)
        for (index, step) in c.steps.enumerated() {
            clock.advance(seconds: step.after)
            var got = ""
            for _ in step.expect {
                got += bucket.take(cost: step.cost, now: clock.now, parameters: parameters).allowed ? "+" : "-"
            }
            #expect(got == step.expect, "step \(index)")
        }
    }

    @Test func remainingRetryAfterAndReset() {
        let parameters = TokenBucket.Parameters(rate: 2, periodNanos: 1_000_000_000, burst: 4)
        var bucket = TokenBucket(parameters: parameters, now: 0)
        let first = bucket.take(cost: 1, now: 0, parameters: parameters)
        #expect(first == RateLimitOutcome(allowed: true, remaining: 3, retryAfterNanos: 0, resetNanos: 500_000_000))
        _ = bucket.take(cost: 3, now: 0, parameters: parameters)
        let refused = bucket.take(cost: 1, now: 100_000_000, parameters: parameters)
        // 0.2 tokens after 100 ms; the missing 0.8 come in 400 ms; full (4) in 1.9 s.
        #expect(!refused.allowed)
        #expect(refused.remaining == 0)
        #expect(abs(refused.retryAfterNanos - 400_000_000) <= 1)
        #expect(abs(refused.resetNanos - 1_900_000_000) <= 1)
        #expect(refused.retryAfterSeconds == 1)
        #expect(refused.resetSeconds == 2)
    }

    @Test func clockGoingBackwardsAddsNothing() {
        let parameters = TokenBucket.Parameters(rate: 1, periodNanos: 1_000_000_000, burst: 1)
        var bucket = TokenBucket(parameters: parameters, now: 10_000_000_000)
        #expect(bucket.take(cost: 1, now: 10_000_000_000, parameters: parameters).allowed)
        #expect(!bucket.take(cost: 1, now: 5_000_000_000, parameters: parameters).allowed)
        #expect(!bucket.take(cost: 1, now: 10_500_000_000, parameters: parameters).allowed)
        #expect(bucket.take(cost: 1, now: 11_000_000_000, parameters: parameters).allowed)
    }

    @Test func fullnessDecidesEviction() {
        let parameters = TokenBucket.Parameters(rate: 10, periodNanos: 1_000_000_000, burst: 5)
        var bucket = TokenBucket(parameters: parameters, now: 0)
        #expect(bucket.isFull(at: 0, parameters: parameters))
        _ = bucket.take(cost: 5, now: 0, parameters: parameters)
        #expect(!bucket.isFull(at: 499_000_000, parameters: parameters))
        #expect(bucket.isFull(at: 500_000_000, parameters: parameters))
        #expect(parameters.fillNanos == 500_000_000)
    }

    @Test(arguments: [(1, 200), (3, 66), (10, 20), (1000, 1)])
    func fallbackShareDividesRateAndBurst(instances: Int, expectedBurst: Int) {
        let share = TokenBucket.Parameters(RateLimitSpec(name: "x", rate: 100, burst: 200), dividedBy: instances)
        #expect(share.burst == Double(expectedBurst))
        #expect(abs(share.tokensPerNanosecond * 1e9 - 100.0 / Double(instances)) < 1e-9)
    }
}
