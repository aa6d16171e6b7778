import GatewayCore

/// The size limits of one route: the request body, and optionally a tighter head than the
/// gateway-wide ``HeadLimits`` that every request already passed before routing.
public struct RequestLimits: Sendable, Hashable {
    /// The default body limit: 1 MiB.
    public static let defaultBodyBytes = 1 << 20

    /// The largest request body, in bytes.
    public var bodyBytes: Int
    /// Head limits for this route, when tighter than the gateway-wide ones; `nil` when the
    /// gateway-wide limits apply unchanged.
    public var head: HeadLimits?

    public init(bodyBytes: Int = RequestLimits.defaultBodyBytes, head: HeadLimits? = nil) {
        self.bodyBytes = bodyBytes
        self.head = head
    }

    /// The answer for a request whose head declares its body: 413 when a `Content-Length` is
    /// larger than the limit (decided before any byte of the body is read, so also before a
    /// `100 Continue` would invite it). A chunked body is counted as it streams instead.
    public func check(_ framing: BodyFraming) -> GatewayError? {
        if case .contentLength(let length) = framing, length > bodyBytes {
            return .payloadTooLarge(limit: bodyBytes)
        }
        return nil
    }
}
