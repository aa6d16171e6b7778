import NIOCore

/// A check or transformation that runs on a request after routing and before the upstream.
///
/// Policies run in plan order; the first that answers ends the chain and the upstream never sees
/// the request. A policy that must ask something (Redis, a JWKS fetch) returns `.pending` with a
/// future on the request's event loop; the exchange waits for it without a thread hop.
public protocol RequestPolicy: Sendable {
    /// Short name for logs, metrics and `explain` (e.g. `jwt`, `rate_limit`).
    var name: String { get }
    func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision
}

/// The outcome of a ``RequestPolicy``: an enum, never a Bool, so the reason travels with it.
public enum PolicyDecision: Sendable {
    case proceed
    /// Answer the client with this response (e.g. a preflight, a cache hit).
    case respond(GatewayResponse)
    /// Reject with a gateway error (401, 403, 413, 429, …).
    case reject(GatewayError)
    /// The decision needs IO; the future completes on the request's event loop.
    case pending(EventLoopFuture<PolicyDecision>)
    /// Like ``pending``, for a decision that also changes the request context once it is made
    /// (what a rate limit decided; the subject of a token checked against a fetched key).
    case pendingUpdate(EventLoopFuture<PolicyUpdate>)
}

/// A decision made after IO, with the change it makes to the request context. The exchange
/// applies ``update`` before acting on ``decision``, so later policies and the response policies
/// see it.
public struct PolicyUpdate: Sendable {
    public var decision: PolicyDecision
    public var update: @Sendable (inout RequestContext) -> Void

    public init(decision: PolicyDecision, update: @escaping @Sendable (inout RequestContext) -> Void) {
        self.decision = decision
        self.update = update
    }
}

/// A transformation applied to every response of a route, upstream or gateway-made, before it is
/// sent to the client.
public protocol ResponsePolicy: Sendable {
    var name: String { get }
    func apply(to response: inout ResponseContext, request: RequestContext)
}
