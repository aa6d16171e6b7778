import GatewayCore
import NIOHTTP1

/// Applies the merged ``SecurityHeaders`` of a route to every response of it, the upstream's and
/// the gateway's own (errors, redirects, preflights); as an ``UnroutedResponsePolicy`` it also
/// applies the top-level rules to answers given before routing (404, 400, 431).
public struct SecurityHeadersPolicy: ResponsePolicy, UnroutedResponsePolicy {
    public let headers: SecurityHeaders

    public init(headers: SecurityHeaders) {
        self.headers = headers
    }

    public var name: String { "security_headers" }

    public func apply(to response: inout ResponseContext, request: RequestContext) {
        apply(to: &response)
    }

    public func apply(to response: inout ResponseContext) {
        for rule in headers.rules {
            switch rule.mode {
            case .set:
                response.headers.remove(name: rule.name)
                for value in rule.values { response.headers.add(name: rule.name, value: value) }
            case .default:
                if !response.headers.contains(name: rule.name) {
                    for value in rule.values { response.headers.add(name: rule.name, value: value) }
                }
            case .append:
                for value in rule.values { response.headers.add(name: rule.name, value: value) }
            case .remove:
                response.headers.remove(name: rule.name)
            }
        }
    }
}
