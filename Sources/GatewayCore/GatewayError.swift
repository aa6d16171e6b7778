import NIOHTTP1

/// Every way the gateway itself can answer a request instead of the upstream.
///
/// One typed error per cause, mapped to an HTTP response in exactly one place
/// (``GatewayError/status`` and ``GatewayError/code``), so that every gateway-made response is
/// rendered the same way and still receives request id, security and CORS headers.
public enum GatewayError: Error, Sendable, Hashable {
    /// The request is malformed; the reason is logged and returned to the client.
    case badRequest(String)
    /// No route matches host and path.
    case noRoute
    /// A route matches host and path but not the method; the allowed methods are listed.
    case methodNotAllowed(allowed: [String])
    /// `TRACE` and `CONNECT` are never served or tunnelled.
    case methodForbidden(String)
    /// A `Transfer-Encoding` other than `chunked`.
    case unsupportedTransferCoding(String)
    /// Only HTTP/1.0 and HTTP/1.1 are spoken on HTTP/1 connections.
    case httpVersionNotSupported
    /// An `Expect` other than `100-continue`.
    case expectationFailed
    /// The request head did not complete in time, or the body stalled.
    case requestTimeout
    /// The request body exceeds the configured limit.
    case payloadTooLarge(limit: Int)
    /// The request target is longer than the configured limit.
    case uriTooLong(limit: Int)
    /// The header block exceeds a configured limit.
    case headerFieldsTooLarge
    /// The upstream refused the connection, reset it or sent an invalid response.
    case badGateway(upstream: String, reason: String)
    /// No server of the upstream group can take the request.
    case serviceUnavailable(upstream: String, reason: String)
    /// A circuit-breaker limit of the upstream is reached: answered at once, with `Retry-After`.
    case upstreamOverloaded(upstream: String, limit: CircuitBreakerLimit)
    /// The upstream did not connect or answer in time.
    case gatewayTimeout(upstream: String, reason: String)
    /// A rate limit refused the request; `retryAfter` is whole seconds until it would pass.
    case rateLimited(limit: String, retryAfter: Int)
    /// The store of a rate limit failed and the limit says `on_store_error closed`.
    case rateLimitUnavailable(limit: String)
    /// The gateway is shutting down and accepts no new work on this connection.
    case shuttingDown
    /// A fault of the gateway itself; never expected.
    case internalError(String)
    /// The client address is refused by the route's `allow`/`deny` rules.
    case addressDenied
    /// A CORS preflight the route does not allow (origin, method or header); `reason` is a stable
    /// code for the log.
    case corsRejected(reason: String)
    /// The route requires a bearer token and none was presented.
    case missingToken
    /// The credentials are malformed (two `Authorization` headers, a token in both header and
    /// cookie, a scheme other than Bearer); `reason` is a stable code for the log.
    case invalidAuthRequest(reason: String)
    /// The token failed verification; `reason` (a stable code such as `expired` or
    /// `bad_signature`) goes to the log only, never to the client.
    case invalidToken(reason: String)
    /// The token is valid but lacks a scope the route requires.
    case insufficientScope(required: String)
    /// No key set was ever obtained for the issuer (its JWKS endpoint has not answered yet).
    case authKeysUnavailable(issuer: String)

    public var status: HTTPResponseStatus {
        switch self {
        case .badRequest: .badRequest
        case .noRoute: .notFound
        case .methodNotAllowed, .methodForbidden: .methodNotAllowed
        case .unsupportedTransferCoding: .notImplemented
        case .httpVersionNotSupported: .httpVersionNotSupported
        case .expectationFailed: .expectationFailed
        case .requestTimeout: .requestTimeout
        case .payloadTooLarge: .payloadTooLarge
        case .uriTooLong: .uriTooLong
        case .headerFieldsTooLarge: .requestHeaderFieldsTooLarge
        case .badGateway: .badGateway
        case .rateLimited: .tooManyRequests
        case .serviceUnavailable, .upstreamOverloaded, .rateLimitUnavailable, .shuttingDown: .serviceUnavailable
        case .gatewayTimeout: .gatewayTimeout
        case .internalError: .internalServerError
        case .addressDenied, .corsRejected, .insufficientScope: .forbidden
        case .missingToken, .invalidToken: .unauthorized
        case .invalidAuthRequest: .badRequest
        case .authKeysUnavailable: .serviceUnavailable
        }
    }

    /// A stable machine-readable code for the JSON body and the access log.
    public var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .noRoute: "route_not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .methodForbidden: "method_not_allowed"
        case .unsupportedTransferCoding: "unsupported_transfer_coding"
        case .httpVersionNotSupported: "http_version_not_supported"
        case .expectationFailed: "expectation_failed"
        case .requestTimeout: "request_timeout"
        case .payloadTooLarge: "payload_too_large"
        case .uriTooLong: "uri_too_long"
        case .headerFieldsTooLarge: "header_fields_too_large"
        case .badGateway: "bad_gateway"
        case .serviceUnavailable: "service_unavailable"
        case .upstreamOverloaded: "upstream_overloaded"
        case .gatewayTimeout: "gateway_timeout"
        case .rateLimited: "rate_limited"
        case .rateLimitUnavailable: "rate_limit_unavailable"
        case .shuttingDown: "shutting_down"
        case .internalError: "internal_error"
        case .addressDenied: "ip_denied"
        case .corsRejected: "cors_rejected"
        case .missingToken: "unauthorized"
        case .invalidAuthRequest: "invalid_request"
        case .invalidToken: "invalid_token"
        case .insufficientScope: "insufficient_scope"
        case .authKeysUnavailable: "auth_unavailable"
        }
    }

    /// The message shown to the client. Upstream internals (addresses, reasons) are not exposed;
    /// they go to the log through ``logDetail``.
    public var message: String {
        switch self {
        case .badRequest(let reason): reason
        case .noRoute: "no route matches this request"
        case .methodNotAllowed: "method not allowed on this route"
        case .methodForbidden(let method): "\(method) is not allowed"
        case .unsupportedTransferCoding: "transfer coding not implemented"
        case .httpVersionNotSupported: "HTTP version not supported"
        case .expectationFailed: "only 100-continue is supported in Expect"
        case .requestTimeout: "request not received in time"
        case .payloadTooLarge(let limit): "request body larger than \(limit) bytes"
        case .uriTooLong(let limit): "request target longer than \(limit) bytes"
        case .headerFieldsTooLarge: "request header fields too large"
        case .badGateway: "upstream failed"
        case .serviceUnavailable: "no upstream server available"
        case .upstreamOverloaded: "upstream is at capacity, retry later"
        case .gatewayTimeout: "upstream timed out"
        case .rateLimited: "rate limit exceeded"
        case .rateLimitUnavailable: "rate limit cannot be checked"
        case .shuttingDown: "gateway is shutting down"
        case .internalError: "internal error"
        case .addressDenied: "access denied for this client address"
        case .corsRejected: "CORS request not allowed"
        case .missingToken: "authentication required"
        case .invalidAuthRequest: "malformed credentials"
        case .invalidToken: "invalid or expired token"
        case .insufficientScope: "insufficient scope"
        case .authKeysUnavailable: "authentication is temporarily unavailable"
        }
    }

    /// Detail for logs only: upstream names and low-level reasons.
    public var logDetail: String {
        switch self {
        case .badGateway(let upstream, let reason),
            .serviceUnavailable(let upstream, let reason),
            .gatewayTimeout(let upstream, let reason):
            "\(upstream): \(reason)"
        case .unsupportedTransferCoding(let coding): "transfer-encoding: \(coding)"
        case .upstreamOverloaded(let upstream, let limit): "\(upstream): \(limit.rawValue) reached"
        case .rateLimited(let limit, let retryAfter): "rate_limit \(limit): retry after \(retryAfter)s"
        case .rateLimitUnavailable(let limit): "rate_limit \(limit): store unavailable, on_store_error closed"
        case .internalError(let detail): detail
        case .authKeysUnavailable(let issuer): "no key set obtained for issuer \(issuer)"
        default: reason ?? self.message
        }
    }

    /// A stable, countable code for why a policy rejected the request (`expired`,
    /// `origin_not_allowed`, …), logged beside ``code``; `nil` when the code says it all.
    public var reason: String? {
        switch self {
        case .corsRejected(let reason), .invalidAuthRequest(let reason), .invalidToken(let reason): reason
        case .authKeysUnavailable: "no_key_set"
        case .upstreamOverloaded(_, let limit): limit.rawValue
        default: nil
        }
    }

    /// The `WWW-Authenticate` challenge of a bearer-token failure (RFC 6750 §3): no error code
    /// when no token was sent, otherwise the error and, for a missing scope, the scope needed.
    public var wwwAuthenticate: String? {
        switch self {
        case .missingToken: #"Bearer realm="gateway""#
        case .invalidAuthRequest: #"Bearer realm="gateway", error="invalid_request""#
        case .invalidToken: #"Bearer realm="gateway", error="invalid_token""#
        case .insufficientScope(let scope): #"Bearer realm="gateway", error="insufficient_scope", scope=""# + scope + "\""
        default: nil
        }
    }

    /// Whether the connection must be closed after answering (the framing of the stream is no
    /// longer trustworthy or the client is too slow).
    public var closesConnection: Bool {
        switch self {
        case .badRequest, .unsupportedTransferCoding, .httpVersionNotSupported, .expectationFailed, .requestTimeout,
            .payloadTooLarge, .uriTooLong, .headerFieldsTooLarge, .shuttingDown:
            true
        default:
            false
        }
    }
}
