import GatewayCore
import NIOCore
import Testing

/// Probe results as letters: `s` success, `f` failure; verdict changes as `D` (down) and `U` (up).
private func run(_ results: String, healthy: Int, unhealthy: Int) -> String {
    var machine = HealthCheckStateMachine(healthyThreshold: healthy, unhealthyThreshold: unhealthy)
    var out = ""
    for result in results {
        let action = result == "s" ? machine.probeSucceeded() : machine.probeFailed()
        switch action {
        case .none: out.append(".")
        case .markDown: out.append("D")
        case .markUp: out.append("U")
        }
    }
    return out
}

struct HealthCheckStateMachineTests {
    @Test(arguments: [
        // Healthy from the start: successes change nothing.
        ("ssss", 2, 3, "...."),
        // Down after `unhealthy` failures in a row, up after `healthy` successes in a row.
        ("fffss", 2, 3, "..D.U"),
        ("ffsfffss", 2, 3, ".....D.U"),
        // A success resets the failure streak: flapping never takes a healthy server down.
        ("fsfsfsfs", 2, 2, "........"),
        // And a failure resets the success streak: flapping never brings a down server back.
        ("ffsfsfsfss", 2, 2, ".D.......U"),
        // Thresholds of one follow every result.
        ("fsfs", 1, 1, "DUDU"),
        // Already down: more failures say nothing; already up: more successes say nothing.
        ("ffffsssss", 3, 2, ".D....U.."),
    ])
    func verdictFollowsThresholds(results: String, healthy: Int, unhealthy: Int, expected: String) {
        #expect(run(results, healthy: healthy, unhealthy: unhealthy) == expected)
    }

    @Test func startsHealthyAndReportsItsVerdict() {
        var machine = HealthCheckStateMachine(HealthCheck(healthyThreshold: 1, unhealthyThreshold: 1))
        #expect(machine.isHealthy)
        #expect(machine.probeFailed() == .markDown)
        #expect(!machine.isHealthy)
        #expect(machine.probeSucceeded() == .markUp)
        #expect(machine.isHealthy)
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.999, 1.0, -3, 7])
    func delayStaysWithinTheJitter(random: Double) {
        let check = HealthCheck(interval: .seconds(5), jitterPercent: 10)
        let delay = check.delay(random: random)
        #expect(delay >= .seconds(5))
        #expect(delay <= .milliseconds(5500))
    }

    @Test func delayWithoutJitterIsTheInterval() {
        let check = HealthCheck(interval: .milliseconds(200), jitterPercent: 0)
        #expect(check.delay(random: 0.7) == .milliseconds(200))
        #expect(HealthCheck(interval: .seconds(1), jitterPercent: 50).delay(random: 0.5) == .milliseconds(1250))
    }

    @Test func expectedStatuses() {
        let check = HealthCheck(kind: .http(path: "/healthz", host: nil, expect: [200...204, 301...301]))
        #expect(check.accepts(status: 200))
        #expect(check.accepts(status: 204))
        #expect(check.accepts(status: 301))
        #expect(!check.accepts(status: 205))
        #expect(!check.accepts(status: 503))
        #expect(HealthCheck(kind: .tcp).accepts(status: 500), "a TCP check has no status to judge")
    }
}
