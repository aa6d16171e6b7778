import GatewayCore

/// A new connection was refused by the pool's circuit-breaker limits (nothing was attempted).
public struct UpstreamOverloadedError: Error {
    public let limit: CircuitBreakerLimit
}
