import Foundation
import GatewayConfig
import GatewayCore
import Testing

/// Access to `Fixtures/` (copied into the test bundle) and golden-file comparison.
///
/// Golden files are compared by default; with `UPDATE_GOLDEN=1` in the environment the expected
/// files in the source tree are rewritten from the actual output instead (review the diff).
enum Fixtures {
    static let root: URL = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    /// The fixtures in the source tree, for `UPDATE_GOLDEN=1`.
    static let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let environment = [
        "GATEWAY_PORT": "8080",
        "API_HOST": "10.0.0.5",
        "EMPTY": "",
        "LOG_DIR": "/var/log/gateway",
    ]

    struct NoSuchFile: Error, CustomStringConvertible {
        var description: String { "no such file" }
    }

    /// A loader reading paths relative to `root`, so locations in golden files are stable.
    static func loader(root: URL = root, environment: [String: String] = environment) -> ConfigLoader {
        ConfigLoader(environment: environment) { path in
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else { throw NoSuchFile() }
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    /// A loader over in-memory files.
    static func loader(files: [String: String], environment: [String: String] = [:]) -> ConfigLoader {
        ConfigLoader(environment: environment) { path in
            guard let text = files[path] else { throw NoSuchFile() }
            return text
        }
    }

    /// Base names of the `.ext` files directly in `directory` (not in subdirectories), sorted.
    static func names(in directory: String, ext: String) -> [String] {
        let url = root.appendingPathComponent(directory)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return files.filter { $0.hasSuffix("." + ext) }.map { String($0.dropLast(ext.count + 1)) }.sorted()
    }

    static var updating: Bool { ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" }

    /// Compares `actual` with the golden file at `path` (relative to `Fixtures/`).
    static func expectGolden(_ actual: String, path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        if updating {
            let url = sourceRoot.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let url = root.appendingPathComponent(path)
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(path); run with UPDATE_GOLDEN=1 to create it", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "golden file \(path) differs; run with UPDATE_GOLDEN=1 to update it", sourceLocation: sourceLocation)
    }

    /// The text a good fixture is compared with: warnings first (if any), then the plan dump.
    static func render(_ result: ConfigLoadResult) -> String {
        switch result {
        case .success(let plan, let warnings):
            let header = warnings.isEmpty ? "" : warnings.map(\.description).joined(separator: "\n") + "\n\n"
            return header + PlanDump.render(plan)
        case .failure(let diagnostics):
            return diagnostics.map(\.description).joined(separator: "\n") + "\n"
        }
    }
}
