import GatewayCore

extension RateLimitKey {
    /// The bucket key of `request` under this key kind, and whether it fell back to the client
    /// address because the kind's value is missing (no such header, no authenticated subject).
    ///
    /// Keys carry their kind as a prefix (`ip:`, `h:`, `sub:`, `route:`) so a header value can
    /// never name another client's address bucket. The client address is the one resolved
    /// through `trusted_proxies`, so a spoofed `X-Forwarded-For` never changes a bucket.
    public func bucketKey(for request: RequestContext) -> (key: String, fellBack: Bool) {
        switch self {
        case .clientIP:
            return (Self.addressKey(request), false)
        case .header(let name):
            guard let value = request.inbound.headers.first(name: name), !value.isEmpty else {
                return (Self.addressKey(request), true)
            }
            return ("h:" + value, false)
        case .jwtSubject:
            guard let subject = request.authenticatedSubject, !subject.isEmpty else {
                return (Self.addressKey(request), true)
            }
            return ("sub:" + subject, false)
        case .route:
            return ("route:" + request.route.name, false)
        }
    }

    /// `ip:ADDRESS`, or `ip:-` when the connection has no IP address.
    static func addressKey(_ request: RequestContext) -> String {
        "ip:" + (request.clientAddress?.description ?? "-")
    }
}
