/// The `Strict-Transport-Security` header a TLS listener adds to its responses (RFC 6797).
public struct HSTSPolicy: Sendable, Hashable {
    /// One year, the minimum browsers' preload lists accept.
    public static let defaultMaxAge = 31_536_000

    public var maxAgeSeconds: Int
    public var includeSubdomains: Bool
    public var preload: Bool

    public init(maxAgeSeconds: Int = HSTSPolicy.defaultMaxAge, includeSubdomains: Bool = false, preload: Bool = false) {
        self.maxAgeSeconds = maxAgeSeconds
        self.includeSubdomains = includeSubdomains
        self.preload = preload
    }

    /// The header value, rendered once per plan.
    public var headerValue: String {
        var value = "max-age=\(maxAgeSeconds)"
        if includeSubdomains { value += "; includeSubDomains" }
        if preload { value += "; preload" }
        return value
    }
}
