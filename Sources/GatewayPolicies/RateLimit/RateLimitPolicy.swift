import GatewayCore
import NIOCore

/// One named rate limit applied to a route with a cost: picks the request's bucket, asks the
/// limit's store for the tokens, and proceeds, answers 429 (`Retry-After`), or answers 503 when
/// the store failed and the limit says `on_store_error closed`.
///
/// Every decision is recorded in ``RequestContext/rateLimits`` with a stable
/// ``RateLimitReason``, which the headers, the access log and metrics read. `mode shadow` never
/// refuses: it records what it would have done.
public struct RateLimitPolicy: RequestPolicy {
    public let spec: RateLimitSpec
    /// Tokens one request takes (`rate_limit NAME cost=N;` on the route, default 1).
    public let cost: Int

    public init(spec: RateLimitSpec, cost: Int = 1) {
        self.spec = spec
        self.cost = cost
    }

    public var name: String { cost == 1 ? "rate_limit \(spec.name)" : "rate_limit \(spec.name) cost=\(cost)" }

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        let (key, fellBack) = spec.key.bucketKey(for: request)
        guard let store = request.services.rateLimitStores[spec.name] else {
            return .reject(.internalError("no store for rate_limit \(spec.name)"))
        }
        switch store.take(key: key, cost: cost, on: eventLoop) {
        case .decided(let outcome):
            let status = status(key: key, fellBack: fellBack, outcome: outcome)
            request.rateLimits.append(status)
            return decision(for: status)
        case .pending(let future):
            let policy = self
            return .pendingUpdate(
                future.map { outcome in
                    let status = policy.status(key: key, fellBack: fellBack, outcome: outcome)
                    return PolicyUpdate(decision: policy.decision(for: status)) { $0.rateLimits.append(status) }
                })
        }
    }

    /// What an outcome means under this limit's mode.
    public func status(key: String, fellBack: Bool, outcome: RateLimitOutcome) -> RateLimitStatus {
        let shadow = spec.mode == .shadow
        let reason: RateLimitReason
        switch outcome.source {
        case .store:
            reason = outcome.allowed ? .allowed : shadow ? .shadowLimited : .limited
        case .localFallback:
            reason = outcome.allowed ? .fallbackAllowed : shadow ? .fallbackShadowLimited : .fallbackLimited
        case .failedOpen:
            reason = .storeErrorOpen
        case .failedClosed:
            reason = shadow ? .storeErrorClosedShadow : .storeErrorClosed
        }
        return RateLimitStatus(spec: spec, key: key, keyFellBack: fellBack, outcome: outcome, reason: reason)
    }

    /// The policy decision for a recorded status.
    public func decision(for status: RateLimitStatus) -> PolicyDecision {
        switch status.reason {
        case .limited, .fallbackLimited:
            return .reject(.rateLimited(limit: spec.name, retryAfter: status.outcome.retryAfterSeconds))
        case .storeErrorClosed:
            return .reject(.rateLimitUnavailable(limit: spec.name))
        case .allowed, .shadowLimited, .fallbackAllowed, .fallbackShadowLimited, .storeErrorOpen, .storeErrorClosedShadow:
            return .proceed
        }
    }
}
