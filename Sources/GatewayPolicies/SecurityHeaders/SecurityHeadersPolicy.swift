import GatewayCore
import NIOHTTP1

/// Applies the merged ``SecurityHeaders`` of a route to every response of it, the upstream's and
/// the gateway's own (errors, redirects, preflights); as an ``UnroutedResponsePolicy`` it also
/// applies the top-level rules to answers given before routing (404, 400, 431).
public struct SecurityHeadersPolicy: ResponsePolicy, UnroutedResponsePolicy {
    public let headers: SecurityHeaders
    /// The rules' header names in lower case, in rule order.
    private let lowerNames: [String]

    public init(headers: SecurityHeaders) {
        self.headers = headers
        self.lowerNames = headers.rules.map { $0.name.lowercased() }
    }

    public var name: String { "security_headers" }

    public func apply(to response: inout ResponseContext, request: RequestContext) {
        apply(to: &response)
    }

    public func apply(to response: inout ResponseContext) {
        let rules = headers.rules
        guard rules.count <= UInt64.bitWidth else {
            for rule in rules { Self.apply(rule, to: &response.headers, present: response.headers.contains(name: rule.name)) }
            return
        }
        // One pass over the response's fields finds the rules' names it already has (a rule per
        // name), so only a field that is there is searched for again to be removed.
        var present: UInt64 = 0
        for (name, _) in response.headers {
            for (index, lower) in lowerNames.enumerated() where name.equalsIgnoringASCIICase(lowerCased: lower) {
                present |= 1 << UInt64(index)
            }
        }
        for (index, rule) in rules.enumerated() {
            Self.apply(rule, to: &response.headers, present: present & (1 << UInt64(index)) != 0)
        }
    }

    private static func apply(_ rule: HeaderRule, to headers: inout HTTPHeaders, present: Bool) {
        switch rule.mode {
        case .set:
            if present { headers.remove(name: rule.name) }
            for value in rule.values { headers.add(name: rule.name, value: value) }
        case .default:
            if !present {
                for value in rule.values { headers.add(name: rule.name, value: value) }
            }
        case .append:
            for value in rule.values { headers.add(name: rule.name, value: value) }
        case .remove:
            if present { headers.remove(name: rule.name) }
        }
    }
}
