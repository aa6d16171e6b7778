import GatewayConfig
import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// Plans for rate-limit tests, written in `gateway.conf` so the tests cover the whole path from
/// the directives to the responses. `${UPSTREAM}` and `${REDIS}` are filled in.
enum RateLimitHarness {
    /// Whether a header holds whole seconds within `range`, after an exact `prefix` (for the
    /// `t=` of `RateLimit`): time-based values drift by the seconds a loaded machine takes.
    static func seconds(_ header: String?, after prefix: String = "", within range: ClosedRange<Int>) -> Bool {
        guard let header, header.hasPrefix(prefix), let value = Int(header.dropFirst(prefix.count)) else { return false }
        return range.contains(value)
    }

    static func plan(_ text: String, upstream: Int, redis: String = "") throws -> GatewayPlan {
        let loader = ConfigLoader(environment: ["UPSTREAM": String(upstream), "REDIS": redis]) { _ in text }
        let result = loader.load(path: "test.conf")
        guard let plan = result.plan else { throw ConfigError(report: result.report) }
        return plan
    }

    struct ConfigError: Error, CustomStringConvertible {
        var report: String
        var description: String { report }
    }

    /// The statuses of `count` requests sent one after another, each on its own connection.
    static func statuses(
        _ count: Int, port: Int, group: any EventLoopGroup, path: String = "/", headers: String = ""
    ) async throws -> [Int] {
        var statuses: [Int] = []
        for _ in 0..<count {
            statuses.append(try await get(port: port, group: group, path: path, headers: headers).status)
        }
        return statuses
    }

    static func get(port: Int, group: any EventLoopGroup, path: String = "/", headers: String = "") async throws -> RawClient.Response {
        let result = try await RawClient.send(["GET \(path) HTTP/1.1\r\nHost: a.test\r\n\(headers)\r\n"], port: port, group: group)
        return try #require(result.responses.first)
    }

    /// The statuses of `count` requests sent all at once on separate connections.
    static func concurrentStatuses(_ count: Int, port: Int, group: any EventLoopGroup, path: String = "/") async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { tasks in
            for _ in 0..<count {
                tasks.addTask { try await get(port: port, group: group, path: path).status }
            }
            var statuses: [Int] = []
            for try await status in tasks { statuses.append(status) }
            return statuses
        }
    }
}
