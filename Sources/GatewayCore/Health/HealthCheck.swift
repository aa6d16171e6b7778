import NIOCore

/// Active health checking of an upstream group's servers (`health_check { … }` of an upstream).
///
/// One checker per (upstream, server, check) probes the server every `interval` (plus up to
/// `jitterPercent` of it, so that checkers started together drift apart), each probe bounded by
/// `timeout`. `unhealthyThreshold` failures in a row mark a server down; `healthyThreshold`
/// successes in a row bring it back. Servers start healthy until a check says otherwise.
public struct HealthCheck: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Connect only (TCP, plus the TLS handshake when the upstream speaks TLS).
        case tcp
        /// `GET path HTTP/1.1` on a fresh connection; success is a status in `expect`.
        /// `host` is sent as `Host` (the server's host:port when `nil`).
        case http(path: String, host: String?, expect: [ClosedRange<Int>])
    }

    public var kind: Kind
    public var interval: TimeAmount
    /// Bounds connect, handshake and response head of one probe together.
    public var timeout: TimeAmount
    public var healthyThreshold: Int
    public var unhealthyThreshold: Int
    /// Up to this share of `interval` is added at random to each wait.
    public var jitterPercent: Int

    public static let defaultPath = "/"
    public static let defaultExpect = [200...399]

    public init(
        kind: Kind = .http(path: HealthCheck.defaultPath, host: nil, expect: HealthCheck.defaultExpect),
        interval: TimeAmount = .seconds(5),
        timeout: TimeAmount = .seconds(1),
        healthyThreshold: Int = 2,
        unhealthyThreshold: Int = 3,
        jitterPercent: Int = 10
    ) {
        self.kind = kind
        self.interval = interval
        self.timeout = timeout
        self.healthyThreshold = healthyThreshold
        self.unhealthyThreshold = unhealthyThreshold
        self.jitterPercent = jitterPercent
    }

    /// The wait before the next probe: `interval` plus `random` (in 0...1) of the jitter.
    public func delay(random: Double) -> TimeAmount {
        let jitter = Double(interval.nanoseconds) * Double(jitterPercent) / 100 * min(max(random, 0), 1)
        return interval + .nanoseconds(Int64(jitter))
    }

    /// Whether an HTTP probe's `status` counts as a success.
    public func accepts(status: Int) -> Bool {
        guard case .http(_, _, let expect) = kind else { return true }
        return expect.contains { $0.contains(status) }
    }
}
