/// One field of an access log line, named as it appears in the JSON object.
///
/// `access_log stdout { fields time request_id status; }` picks which are written and in what
/// order; the list is resolved when the plan is compiled, so writing a line walks a small array.
/// Header values are not offered (no `user_agent`, `referer`, `authorization`): a `Referer` can
/// carry tokens in its query, and no header value is ever logged.
public enum AccessLogField: String, Sendable, Hashable, CaseIterable {
    /// RFC 3339 UTC with milliseconds.
    case time
    case requestID = "request_id"
    /// The client address (after `trusted_proxies`).
    case client
    case method
    case host
    /// The path, never the query string.
    case path
    /// `HTTP/1.1` or `HTTP/2`.
    case `protocol`
    case route
    case upstream
    case upstreamAddress = "upstream_addr"
    case status
    case bytesIn = "bytes_in"
    case bytesOut = "bytes_out"
    case durationMs = "duration_ms"
    case upstreamMs = "upstream_ms"
    case error
    case reason
    case policy
    case traceID = "trace_id"
    case rateLimit = "rate_limit"
    /// What policies in `mode shadow` would have refused.
    case shadow

    public static let names = allCases.map(\.rawValue)

    /// Every field, in the order lines have always had.
    public static let defaults: [AccessLogField] = allCases
}
