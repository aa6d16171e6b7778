import GatewayCore
import Testing

struct RetryBudgetTests {
    /// in flight, retries already running → whether one more is allowed (20%, minimum 3).
    @Test(arguments: [
        (0, 0, true), (1, 2, true), (1, 3, false), (10, 2, true), (10, 3, false),
        (15, 3, false), (20, 3, true), (20, 4, false), (100, 19, true), (100, 20, false),
    ])
    func allowsAShareOfTheRequestsInFlight(requests: Int, running: Int, allowed: Bool) {
        var budget = RetryBudget(percent: 20, minimum: 3)
        for _ in 0..<requests { budget.requestStarted() }
        var taken = 0
        for _ in 0..<running where budget.acquireRetry() { taken += 1 }
        #expect(taken == running)
        let another = budget.acquireRetry()
        #expect(another == allowed)
    }

    @Test func finishedRetriesGiveRoomBack() {
        var budget = RetryBudget(percent: 0, minimum: 1)
        budget.requestStarted()
        let outcomes = [budget.acquireRetry(), budget.acquireRetry()]
        #expect(outcomes == [true, false])
        budget.retryFinished()
        let again = budget.acquireRetry()
        #expect(again)
        budget.retryFinished()
        budget.retryFinished()
        budget.requestFinished()
        budget.requestFinished()
        #expect(budget.retries == 0 && budget.requests == 0)
    }

    @Test(arguments: [("GET", true), ("HEAD", true), ("PUT", true), ("DELETE", true), ("OPTIONS", true), ("POST", false), ("PATCH", false)])
    func idempotentMethods(method: String, idempotent: Bool) {
        #expect(RetryPolicy.isIdempotent(method) == idempotent)
    }
}
