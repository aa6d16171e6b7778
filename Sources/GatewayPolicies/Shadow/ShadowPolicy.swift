import GatewayCore
import NIOCore

/// A request policy in `mode shadow`: evaluated as usual, but a rejection becomes a
/// ``ShadowRejection`` recorded on the request, and the request goes on as if the policy had
/// passed. An answer that is not a refusal (a CORS preflight's 204) is kept.
///
/// The wrapped policy decides what "passed" leaves behind: a JWT that failed forwards no claims
/// (client-sent copies of the claim headers are still removed), an IP rule changes nothing.
public struct ShadowPolicy: RequestPolicy {
    public let inner: any RequestPolicy

    public init(_ inner: any RequestPolicy) {
        self.inner = inner
    }

    public var name: String { inner.name + " (shadow)" }

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        let policy = inner.name
        switch inner.evaluate(&request, on: eventLoop) {
        case .reject(let error):
            request.shadowRejections.append(ShadowRejection(policy: policy, error: error))
            return .proceed
        case .pending(let future):
            return .pendingUpdate(future.map { Self.shadowed($0, policy: policy) })
        case .pendingUpdate(let future):
            return .pendingUpdate(
                future.map { resolved in
                    let shadowed = Self.shadowed(resolved.decision, policy: policy)
                    return PolicyUpdate(decision: shadowed.decision) { context in
                        resolved.update(&context)
                        shadowed.update(&context)
                    }
                })
        case let decision:
            return decision
        }
    }

    /// A decision made after IO, with a rejection turned into a recorded pass.
    static func shadowed(_ decision: PolicyDecision, policy: String) -> PolicyUpdate {
        guard case .reject(let error) = decision else { return PolicyUpdate(decision: decision) { _ in } }
        return PolicyUpdate(decision: .proceed) { $0.shadowRejections.append(ShadowRejection(policy: policy, error: error)) }
    }
}
