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
///
/// The parts that depend only on the limit (`"api";q=200;w=2` and `"api";r=`) are made once, when
/// the route is compiled, so a response adds two numbers to them rather than formatting all.
public struct RateLimitHeadersPolicy: ResponsePolicy {
    /// The fixed parts of one limit's items.
    struct Items: Sendable {
        let name: String
        /// `"NAME";q=BURST;w=WINDOW`
        let policy: String
        /// `"NAME";r=`
        let statePrefix: String

        init(_ spec: RateLimitSpec) {
            name = spec.name
            let quoted = "\"" + spec.name + "\""
            policy = quoted + ";q=\(spec.burst);w=\(spec.windowSeconds)"
            statePrefix = quoted + ";r="
        }
    }

    private let items: [Items]

    /// `limits`: the route's limits, whose fixed parts are prepared now; others are made when met.
    public init(limits: [RateLimitSpec] = []) {
        items = limits.map(Items.init)
    }

    public var name: String { "rate_limit_headers" }

    public func apply(to response: inout ResponseContext, request: RequestContext) {
        var policies = ""
        var states = ""
        for status in request.rateLimits where Self.reports(status) {
            let items = self.items.first { $0.name == status.spec.name } ?? Items(status.spec)
            if policies.isEmpty {
                // The usual single limit: its prepared item as it is, no copy.
                policies = items.policy
                states.reserveCapacity(items.statePrefix.utf8.count + 24)
            } else {
                policies += ", " + items.policy
                states += ", "
            }
            states += items.statePrefix
            states += String(status.outcome.remaining)
            states += ";t="
            states += String(status.outcome.resetSeconds)
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
