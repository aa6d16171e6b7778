import GatewayCore
import NIOHTTP1

/// Adds `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers, structured
/// field lists) to every response of a route with rate limits, the 429s included:
///
///     RateLimit-Policy: "api";q=200;w=2
///     RateLimit: "api";r=42;t=1
///
/// `q` is the burst and `w` the whole seconds an empty bucket takes to fill, so `q/w` is the
/// sustained rate; `r` is the whole tokens left and `t` the seconds until the bucket is full.
/// Limits with `headers off`, in `mode shadow` (invisible to clients) or whose store failed
/// without a fallback bucket (no state to report) are left out.
public struct RateLimitHeadersPolicy: ResponsePolicy {
    public init() {}

    public var name: String { "rate_limit_headers" }

    public func apply(to response: inout ResponseContext, request: RequestContext) {
        var policies = ""
        var states = ""
        for status in request.rateLimits where Self.reports(status) {
            let name = "\"" + status.spec.name + "\""
            if !policies.isEmpty {
                policies += ", "
                states += ", "
            }
            policies += name + ";q=\(status.spec.burst);w=\(status.spec.windowSeconds)"
            states += name + ";r=\(status.outcome.remaining);t=\(status.outcome.resetSeconds)"
        }
        guard !policies.isEmpty else { return }
        response.headers.replaceOrAdd(name: "RateLimit-Policy", value: policies)
        response.headers.replaceOrAdd(name: "RateLimit", value: states)
    }

    static func reports(_ status: RateLimitStatus) -> Bool {
        status.spec.headers && status.spec.mode == .enforce
            && (status.outcome.source == .store || status.outcome.source == .localFallback)
    }
}
