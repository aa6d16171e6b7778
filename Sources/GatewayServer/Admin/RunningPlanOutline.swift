#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GatewayConfig

/// The answer of `GET /config/outline` on the admin listener: the outline of the plan serving
/// now and its generation, for `gateway check --diff-running` to compare a file with.
public struct RunningPlanOutline: Codable, Sendable, Equatable {
    public var generation: Int
    public var plan: PlanOutline

    public init(generation: Int, plan: PlanOutline) {
        self.generation = generation
        self.plan = plan
    }

    public struct Unreadable: Error, CustomStringConvertible {
        public var description: String
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(RunningPlanOutline.self, from: Data(json.utf8))
        } catch {
            throw Unreadable(description: "the admin listener's plan outline is unreadable: \(error)")
        }
    }
}
