/// The header rules of a response, layered: built-in defaults, then the top-level
/// `security_headers` block, then the route's. A later layer changes a header only by naming it,
/// so a route never loses an inherited header without saying so (unlike nginx's `add_header`).
public struct SecurityHeaders: Sendable, Hashable {
    /// One rule per header name, in the order the names were first configured.
    public private(set) var rules: [HeaderRule]

    public init(rules: [HeaderRule] = []) {
        self.rules = []
        for rule in rules { merge(rule) }
    }

    /// The defaults every response gets unless configured otherwise. Only `nosniff` overrides
    /// an upstream; the others are added where the upstream sent none (an HTML origin keeps its
    /// own CSP). `Strict-Transport-Security` belongs to TLS listeners and is not set here.
    public static let builtIn = SecurityHeaders(rules: [
        HeaderRule(name: "X-Content-Type-Options", mode: .set, values: ["nosniff"]),
        HeaderRule(name: "X-Frame-Options", mode: .default, values: ["DENY"]),
        HeaderRule(name: "Referrer-Policy", mode: .default, values: ["no-referrer"]),
        HeaderRule(name: "Content-Security-Policy", mode: .default, values: ["default-src 'none'; frame-ancestors 'none'"]),
    ])

    /// Adds a rule of a later layer: `set`, `default` and `remove` replace what an earlier layer
    /// said about the header; `append` adds a value to it (keeping its mode).
    public mutating func merge(_ rule: HeaderRule) {
        guard let index = rules.firstIndex(where: { $0.name.lowercased() == rule.name.lowercased() }) else {
            rules.append(rule)
            return
        }
        if rule.mode == .append, rules[index].mode != .remove {
            rules[index].values += rule.values
        } else {
            rules[index] = rule
        }
    }

    /// `self` with the rules of `layer` merged on top.
    public func merging(_ layer: SecurityHeaders) -> SecurityHeaders {
        var merged = self
        for rule in layer.rules { merged.merge(rule) }
        return merged
    }
}
