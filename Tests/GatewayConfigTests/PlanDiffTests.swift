import Foundation
import GatewayConfig
import Testing

/// `Fixtures/diff/NAME.old.conf` → `NAME.new.conf` must render exactly `NAME.diff`
/// (`gateway check --diff`). `UPDATE_GOLDEN=1 swift test` rewrites the expected files.
@Suite struct PlanDiffTests {
    @Test(arguments: Fixtures.names(in: "diff", ext: "old.conf"))
    func diffMatchesGolden(name: String) throws {
        let loader = Fixtures.loader()
        let old = try #require(loader.load(path: "diff/\(name).old.conf").plan)
        let new = try #require(loader.load(path: "diff/\(name).new.conf").plan)
        try Fixtures.expectGolden(PlanDiff.render(from: old, to: new), path: "diff/\(name).diff")
    }

    /// The outline a running gateway sends (as JSON) renders exactly the diff of the plan itself.
    @Test(arguments: Fixtures.names(in: "diff", ext: "old.conf"))
    func outlineThroughJSONRendersTheSameDiff(name: String) throws {
        let loader = Fixtures.loader()
        let old = try #require(loader.load(path: "diff/\(name).old.conf").plan)
        let new = try #require(loader.load(path: "diff/\(name).new.conf").plan)
        let sent = try JSONDecoder().decode(PlanOutline.self, from: JSONEncoder().encode(PlanOutline(old)))
        #expect(sent == PlanOutline(old))
        #expect(PlanDiff.render(from: sent, to: PlanOutline(new)) == PlanDiff.render(from: old, to: new))
    }

    @Test func everyDiffFixtureHasItsPairAndGolden() {
        guard !Fixtures.updating else { return }
        let olds = Fixtures.names(in: "diff", ext: "old.conf")
        #expect(olds == Fixtures.names(in: "diff", ext: "new.conf"))
        #expect(olds == Fixtures.names(in: "diff", ext: "diff"))
        #expect(olds.count >= 3)
    }

    @Test func aPlanAgainstItselfHasNoChanges() throws {
        let plan = try #require(Fixtures.loader().load(path: "good/example.conf").plan)
        #expect(PlanDiff.render(from: plan, to: plan).hasSuffix("summary: no changes; a reload would only raise the generation\n"))
    }
}
