import Foundation
import GatewayConfig
import GatewayCore
import GatewayServer

/// A `gateway.conf` in a fresh temporary directory, rewritten by reload tests.
public final class ConfigFile: Sendable {
    public let directory: String
    public let path: String
    public let environment: [String: String]

    public init(_ text: String, environment: [String: String] = [:]) throws {
        directory = NSTemporaryDirectory() + "gateway-conf-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/gateway.conf"
        self.environment = environment
        try write(text)
    }

    public func write(_ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    public var loader: ConfigLoader { ConfigLoader(environment: environment, readFile: LocalFile.readText) }

    public var source: ConfigSource { ConfigSource(path: path, loader: loader) }

    /// The plan of the file as it is now; throws the report when it is invalid.
    public func plan() throws -> GatewayPlan {
        let result = loader.load(path: path)
        guard let plan = result.plan else { throw InvalidConfig(report: result.report) }
        return plan
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    public struct InvalidConfig: Error, CustomStringConvertible {
        public var report: String
        public var description: String { report }
    }
}
