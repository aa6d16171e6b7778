import GatewayConfig

/// The result of one configuration reload.
public enum ConfigReloadOutcome: Sendable {
    /// The new plan is serving as `generation`; `warnings` are worth showing.
    case reloaded(generation: Int, warnings: [Diagnostic])
    /// Nothing changed: the plan of `generation` keeps serving. `report` names every error with
    /// `file:line:col`.
    case refused(generation: Int, report: String)

    public var generation: Int {
        switch self {
        case .reloaded(let generation, _), .refused(let generation, _): generation
        }
    }

    public var succeeded: Bool {
        if case .reloaded = self { return true }
        return false
    }
}
