import GatewayCore
import NIOCore

/// Enforces a route's size limits: a declared body over the limit is refused with 413 before it
/// is read, a streamed body is counted by the exchange against ``RequestContext/bodyLimit``,
/// and a route's tighter head limits answer 431/414.
///
/// In `mode shadow` the same checks only record what they would have refused, and a streamed
/// body is counted against ``RequestContext/shadowBodyLimit`` instead, so it is never cut. (The
/// top-level limits are enforced before routing, by the parser, and cannot be shadowed.)
///
/// The first request policy of every route, so nothing else works on an oversized request.
public struct RequestLimitsPolicy: RequestPolicy {
    public let limits: RequestLimits
    public let mode: PolicyMode

    public init(limits: RequestLimits, mode: PolicyMode = .enforce) {
        self.limits = limits
        self.mode = mode
    }

    public var name: String { mode == .shadow ? "limits (shadow)" : "limits" }

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        let refusal = limits.head.flatMap { $0.check(request.inbound) } ?? limits.check(request.validated.framing)
        guard mode == .shadow else {
            if let refusal { return .reject(refusal) }
            request.bodyLimit = limits.bodyBytes
            return .proceed
        }
        if let refusal {
            request.shadowRejections.append(ShadowRejection(policy: "limits", error: refusal))
        } else {
            request.shadowBodyLimit = limits.bodyBytes
        }
        return .proceed
    }
}
