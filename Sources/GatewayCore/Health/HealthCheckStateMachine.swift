/// The verdict on one server from its probe results: healthy until `unhealthyThreshold` probes
/// fail in a row, then down until `healthyThreshold` probes succeed in a row.
///
/// Pure; one per checker. A result that does not change the verdict resets the opposite streak,
/// so a flapping server (success, failure, success, …) keeps whatever state it is in.
public struct HealthCheckStateMachine: Sendable {
    public enum Action: Equatable, Sendable {
        case none
        case markDown
        case markUp
    }

    public let healthyThreshold: Int
    public let unhealthyThreshold: Int
    public private(set) var isHealthy = true
    private var successes = 0
    private var failures = 0

    public init(healthyThreshold: Int, unhealthyThreshold: Int) {
        self.healthyThreshold = max(1, healthyThreshold)
        self.unhealthyThreshold = max(1, unhealthyThreshold)
    }

    public init(_ check: HealthCheck) {
        self.init(healthyThreshold: check.healthyThreshold, unhealthyThreshold: check.unhealthyThreshold)
    }

    public mutating func probeSucceeded() -> Action {
        failures = 0
        guard !isHealthy else { return .none }
        successes += 1
        guard successes >= healthyThreshold else { return .none }
        successes = 0
        isHealthy = true
        return .markUp
    }

    public mutating func probeFailed() -> Action {
        successes = 0
        guard isHealthy else { return .none }
        failures += 1
        guard failures >= unhealthyThreshold else { return .none }
        failures = 0
        isHealthy = false
        return .markDown
    }
}
