import GatewayCore
import NIOCore

/// Enforces a route's size limits: a declared body over the limit is refused with 413 before it
/// is read, a streamed body is counted by the exchange against ``RequestContext/bodyLimit``,
/// and a route's tighter head limits answer 431/414.
///
/// The first request policy of every route, so nothing else works on an oversized request.
public struct RequestLimitsPolicy: RequestPolicy {
    public let limits: RequestLimits

    public init(limits: RequestLimits) {
        self.limits = limits
    }

    public var name: String { "limits" }

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        if let head = limits.head, let error = head.check(request.inbound) { return .reject(error) }
        if let error = limits.check(request.validated.framing) { return .reject(error) }
        request.bodyLimit = limits.bodyBytes
        return .proceed
    }
}
