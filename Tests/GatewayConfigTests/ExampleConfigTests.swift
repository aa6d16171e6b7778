import Foundation
@testable import GatewayConfig
import GatewayCore
import Testing

/// The documented example must load and use every directive, so it stays a complete reference.
@Suite struct ExampleConfigTests {
    @Test func fixtureExampleUsesEveryDirectiveAndLoads() throws {
        let text = try String(contentsOf: Fixtures.root.appendingPathComponent("good/example.conf"), encoding: .utf8)
        try expectComplete(text: text, name: "good/example.conf")
        let result = Fixtures.loader().load(path: "good/example.conf")
        #expect(result.plan != nil, "good/example.conf: \(result.report)")
        #expect(result.diagnostics.isEmpty)
    }

    /// `gateway.conf.example` at the repository root, once it exists, must load and be complete
    /// too. Until then the fixture example above is the reference it is written from.
    @Test func repositoryExampleLoadsWhenPresent() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("gateway.conf.example")
        guard FileManager.default.fileExists(atPath: url.path) else {
            // The fixture example is the reference; make sure it is there to be copied.
            #expect(FileManager.default.fileExists(atPath: Fixtures.root.appendingPathComponent("good/example.conf").path))
            return
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        try expectComplete(text: text, name: "gateway.conf.example")
        let loader = Fixtures.loader(root: Fixtures.repositoryRoot, environment: [:])
        let result = loader.load(path: "gateway.conf.example")
        #expect(result.plan != nil, "gateway.conf.example: \(result.report)")
    }

    private func expectComplete(text: String, name: String) throws {
        let (directives, _) = try Parser.parse(text, file: name, environment: ["GATEWAY_PORT": "8080"])
        var used: Set<String> = []
        func walk(_ ds: [Directive]) {
            for d in ds {
                used.insert(d.name)
                walk(d.block ?? [])
            }
        }
        walk(directives)
        let missing = Schema.gateway.specs.map(\.name).filter { !used.contains($0) }
        #expect(missing.isEmpty, "\(name) does not show: \(missing.joined(separator: ", "))")
    }
}
