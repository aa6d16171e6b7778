import GatewayCore
import NIOCore

/// Refuses clients by address (403 `ip_denied`), on the address as resolved through
/// `trusted_proxies`. The top-level list and the route's list are separate levels and a client
/// must pass both, so a route's `allow` can never undo an inherited `deny`.
public struct IPRulesPolicy: RequestPolicy {
    public let levels: [IPRuleList]

    public init(levels: [IPRuleList]) {
        self.levels = levels.filter { !$0.rules.isEmpty }
    }

    public var name: String { "ip_rules" }

    public func admits(_ address: IPAddress?) -> Bool {
        levels.allSatisfy { $0.admits(address) }
    }

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        admits(request.clientAddress) ? .proceed : .reject(.addressDenied)
    }
}
