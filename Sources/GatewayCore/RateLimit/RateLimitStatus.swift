/// What one rate limit decided for a request, kept in ``RequestContext/rateLimits`` for the
/// response headers, the access log and (later) metrics.
public struct RateLimitStatus: Sendable, Hashable {
    public let spec: RateLimitSpec
    /// The bucket key, e.g. `ip:203.0.113.7` (the store namespaces it further).
    public let key: String
    /// The key kind of the limit was unavailable (no header, no subject): the client address
    /// chose the bucket instead.
    public let keyFellBack: Bool
    public let outcome: RateLimitOutcome
    public let reason: RateLimitReason

    public init(spec: RateLimitSpec, key: String, keyFellBack: Bool, outcome: RateLimitOutcome, reason: RateLimitReason) {
        self.spec = spec
        self.key = key
        self.keyFellBack = keyFellBack
        self.outcome = outcome
        self.reason = reason
    }

    /// `NAME=REASON`, plus `+key_fallback` when the key kind was unavailable: the access log form.
    public var logValue: String {
        spec.name + "=" + reason.rawValue + (keyFellBack ? "+key_fallback" : "")
    }
}

/// Why a rate limit let a request through or not; the raw values are stable codes for logs and
/// metrics.
public enum RateLimitReason: String, Sendable, Hashable, CaseIterable {
    case allowed
    case limited
    /// `mode shadow`: the request would have been limited and was let through.
    case shadowLimited = "shadow_limited"
    /// The store failed; the local fallback bucket let the request through.
    case fallbackAllowed = "fallback_allowed"
    /// The store failed; the local fallback bucket refused the request.
    case fallbackLimited = "fallback_limited"
    /// The store failed; `mode shadow`, and the local fallback bucket would have refused it.
    case fallbackShadowLimited = "fallback_shadow_limited"
    /// The store failed; `on_store_error open` let the request through.
    case storeErrorOpen = "store_error_open"
    /// The store failed; `on_store_error closed` answered 503.
    case storeErrorClosed = "store_error_closed"
    /// The store failed; `on_store_error closed` would have answered 503 but `mode shadow` let it
    /// through.
    case storeErrorClosedShadow = "store_error_closed_shadow"

    /// Whether the store failed to decide (the fallback or `on_store_error` did).
    public var isStoreError: Bool {
        switch self {
        case .allowed, .limited, .shadowLimited: false
        case .fallbackAllowed, .fallbackLimited, .fallbackShadowLimited, .storeErrorOpen, .storeErrorClosed, .storeErrorClosedShadow: true
        }
    }

    /// Whether the request is refused.
    public var rejects: Bool { self == .limited || self == .fallbackLimited || self == .storeErrorClosed }
}
