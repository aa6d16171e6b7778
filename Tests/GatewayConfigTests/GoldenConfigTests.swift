import Foundation
import GatewayConfig
import GatewayCore
import Testing

/// `Fixtures/good/NAME.conf` must compile to exactly `NAME.plan`; `Fixtures/bad/NAME.conf` must
/// fail with exactly `NAME.diag`. `UPDATE_GOLDEN=1 swift test` rewrites the expected files.
@Suite struct GoldenConfigTests {
    @Test(arguments: Fixtures.names(in: "good", ext: "conf"))
    func goodConfigCompilesToExpectedPlan(name: String) throws {
        let result = Fixtures.loader().load(path: "good/\(name).conf")
        guard case .success = result else {
            Issue.record("good/\(name).conf failed:\n\(result.report)")
            return
        }
        try Fixtures.expectGolden(Fixtures.render(result), path: "good/\(name).plan")
    }

    @Test(arguments: Fixtures.names(in: "bad", ext: "conf"))
    func badConfigFailsWithExpectedDiagnostics(name: String) throws {
        let result = Fixtures.loader().load(path: "bad/\(name).conf")
        guard case .failure(let diagnostics) = result else {
            Issue.record("bad/\(name).conf compiled")
            return
        }
        #expect(diagnostics.contains { $0.isError })
        try Fixtures.expectGolden(Fixtures.render(result), path: "bad/\(name).diag")
    }

    @Test func everyFixtureHasItsGoldenFile() {
        guard !Fixtures.updating else { return }
        for (directory, ext) in [("good", "plan"), ("bad", "diag")] {
            let confs = Fixtures.names(in: directory, ext: "conf")
            let golden = Fixtures.names(in: directory, ext: ext)
            #expect(confs == golden, "\(directory)/: every .conf needs a .\(ext) and the reverse")
        }
        #expect(Fixtures.names(in: "good", ext: "conf").count >= 5)
        #expect(Fixtures.names(in: "bad", ext: "conf").count >= 20)
    }
}
