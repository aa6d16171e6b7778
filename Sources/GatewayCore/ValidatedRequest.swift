/// A request head that passed strict validation, with everything routing and forwarding need.
public struct ValidatedRequest: Sendable, Hashable {
    /// Host for routing: lower case, without port or trailing dot.
    public var host: String
    /// The authority as the client sent it (`Host` or the absolute-form authority), passed upstream
    /// unless the route configures another.
    public var authority: String
    public var target: NormalizedTarget
    public var framing: BodyFraming
    /// `Expect: 100-continue` was sent; the gateway answers it itself once policies pass.
    public var expectsContinue: Bool

    public init(host: String, authority: String, target: NormalizedTarget, framing: BodyFraming, expectsContinue: Bool) {
        self.host = host
        self.authority = authority
        self.target = target
        self.framing = framing
        self.expectsContinue = expectsContinue
    }

    public var hasBody: Bool {
        switch framing {
        case .none: false
        case .contentLength(let n): n > 0
        case .chunked: true
        }
    }
}

/// How a request body is delimited on the wire.
public enum BodyFraming: Sendable, Hashable {
    case none
    case contentLength(Int)
    case chunked
}
