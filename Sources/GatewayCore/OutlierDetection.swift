import NIOCore

/// When a server is ejected for failing in a row (`outlier_detection { … }` of an upstream).
public struct OutlierDetection: Sendable, Hashable {
    /// Connect failures, resets before a response and 5xx answers in a row that eject a server.
    public var consecutiveFailures: Int
    /// The first ejection lasts this long; the n-th lasts n times as long, up to the maximum.
    public var baseEjectionTime: TimeAmount
    public var maxEjectionTime: TimeAmount
    /// At most this share of the group's servers is ejected at once (at least one of two or more).
    public var maxEjectedPercent: Int

    public init(
        consecutiveFailures: Int = 5,
        baseEjectionTime: TimeAmount = .seconds(30),
        maxEjectionTime: TimeAmount = .minutes(5),
        maxEjectedPercent: Int = 50
    ) {
        self.consecutiveFailures = consecutiveFailures
        self.baseEjectionTime = baseEjectionTime
        self.maxEjectionTime = maxEjectionTime
        self.maxEjectedPercent = maxEjectedPercent
    }

    /// How many of `servers` may be ejected at once.
    public func maxEjected(of servers: Int) -> Int {
        guard servers > 1, maxEjectedPercent > 0 else { return 0 }
        return max(1, servers * maxEjectedPercent / 100)
    }
}
