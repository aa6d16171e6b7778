import GatewayCore
import GatewayPolicies
import Testing

@Suite struct IPRulesTests {
    static func list(_ rules: [(Bool, String?)]) -> IPRuleList {
        IPRuleList(rules: rules.map { IPRule(allow: $0.0, block: $0.1.map { CIDR($0)! }) })
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var levels: [[(Bool, String?)]]
        var client: String?
        var admitted: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no rules admit", levels: [], client: "203.0.113.9", admitted: true),
        Case(name: "allowlist admits a member", levels: [[(true, "10.0.0.0/8")]], client: "10.1.2.3", admitted: true),
        Case(name: "allowlist refuses others", levels: [[(true, "10.0.0.0/8")]], client: "11.0.0.1", admitted: false),
        Case(name: "denylist refuses a member", levels: [[(false, "192.0.2.0/24")]], client: "192.0.2.7", admitted: false),
        Case(name: "denylist admits others", levels: [[(false, "192.0.2.0/24")]], client: "192.0.3.7", admitted: true),
        Case(name: "first match wins (deny before allow)", levels: [[(false, "10.0.0.5"), (true, "10.0.0.0/8")]], client: "10.0.0.5", admitted: false),
        Case(name: "first match wins (allow before deny all)", levels: [[(true, "10.0.0.5"), (false, nil)]], client: "10.0.0.5", admitted: true),
        Case(name: "deny all", levels: [[(false, nil)]], client: "10.0.0.5", admitted: false),
        Case(name: "IPv6 block", levels: [[(true, "2001:db8::/32")]], client: "2001:db8::1", admitted: true),
        Case(name: "IPv6 outside", levels: [[(true, "2001:db8::/32")]], client: "2001:db9::1", admitted: false),
        Case(name: "IPv4-mapped IPv6 client against IPv4 rule", levels: [[(true, "10.0.0.0/8")]], client: "::ffff:10.1.1.1", admitted: true),
        Case(name: "unknown client against an allowlist", levels: [[(true, "10.0.0.0/8")]], client: nil, admitted: false),
        Case(name: "route allow cannot undo an inherited deny", levels: [[(false, "10.0.0.5")], [(true, nil)]], client: "10.0.0.5", admitted: false),
        Case(name: "both levels admit", levels: [[(false, "10.0.0.5")], [(true, "10.0.0.0/8")]], client: "10.0.0.6", admitted: true),
        Case(name: "route narrows the inherited allowlist", levels: [[(true, "10.0.0.0/8")], [(true, "10.1.0.0/16")]], client: "10.2.0.1", admitted: false),
    ]

    @Test(arguments: cases)
    func firstMatchPerLevelAndEveryLevelMustAdmit(_ c: Case) {
        let policy = IPRulesPolicy(levels: c.levels.map(Self.list))
        #expect(policy.admits(c.client.flatMap { IPAddress($0) }) == c.admitted)
        var request = TestRequest.context(client: c.client)
        let decision = policy.evaluate(&request, on: TestRequest.loop)
        #expect(c.admitted ? decision.proceeds : decision.rejection == .addressDenied)
    }
}
