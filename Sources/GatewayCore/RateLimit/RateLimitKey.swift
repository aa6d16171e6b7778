/// What a request's bucket is chosen by.
public enum RateLimitKey: Sendable, Hashable, CustomStringConvertible {
    /// The client address after `trusted_proxies` resolution.
    case clientIP
    /// The value of a request header (name in lower case); without it, the client address.
    case header(String)
    /// The subject an earlier authentication policy stored in
    /// ``RequestContext/authenticatedSubject``; without one, the client address.
    case jwtSubject
    /// One bucket for the whole route.
    case route

    public var description: String {
        switch self {
        case .clientIP: "client_ip"
        case .header(let name): "header:\(name)"
        case .jwtSubject: "jwt:sub"
        case .route: "route"
        }
    }
}
