import GatewayCore

/// The `allow`/`deny` lines of one level (top level or route), in order. The first matching rule
/// decides; when none matches, a list with any `allow` is an allowlist and refuses, a list of
/// only `deny` lines is a denylist and admits.
public struct IPRuleList: Sendable, Hashable, CustomStringConvertible {
    public var rules: [IPRule]

    public init(rules: [IPRule]) {
        self.rules = rules
    }

    public func admits(_ address: IPAddress?) -> Bool {
        for rule in rules where rule.matches(address) { return rule.allow }
        return !rules.contains(where: \.allow)
    }

    public var description: String {
        rules.map(\.description).joined(separator: ", ")
    }
}
