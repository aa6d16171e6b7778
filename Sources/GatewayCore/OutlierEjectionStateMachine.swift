import NIOCore

/// Passive health of one upstream group on one event loop: servers that fail
/// ``OutlierDetection/consecutiveFailures`` times in a row are ejected for a period that grows
/// with each ejection (base × ejections, capped), never more than the configured share at once.
///
/// Pure: time comes in as `now`. Not Sendable: one per (upstream, event loop), like the pool, so
/// each loop learns from its own traffic and nothing is shared or locked. The ejection count
/// starts over once a server has stayed in for a whole `maxEjectionTime`.
public struct OutlierEjectionStateMachine {
    public enum Action: Equatable, Sendable {
        case none
        /// The server is out until the deadline.
        case eject(server: Int, until: NIODeadline)
        /// The server reached the threshold but the group is at its ejection limit.
        case keepAtLimit(server: Int)
    }

    private struct ServerState {
        var consecutiveFailures = 0
        var ejections = 0
        var ejectedUntil: NIODeadline?
        var readmittedAt: NIODeadline?
    }

    public let settings: OutlierDetection
    private var servers: [ServerState]
    /// Parallel to the group's servers: `true` while ejected. Handed to the balancer as is.
    public private(set) var ejected: [Bool]
    public private(set) var ejectedCount = 0
    /// The earliest end of a current ejection; nothing to readmit before it.
    public private(set) var nextReadmission: NIODeadline?

    public init(settings: OutlierDetection, serverCount: Int) {
        self.settings = settings
        self.servers = Array(repeating: ServerState(), count: serverCount)
        self.ejected = Array(repeating: false, count: serverCount)
    }

    /// A response head below 500 arrived from `server`.
    public mutating func succeeded(_ server: Int) {
        servers[server].consecutiveFailures = 0
    }

    /// A connect to `server` failed, it reset or timed out before answering, or answered 5xx.
    public mutating func failed(_ server: Int, now: NIODeadline) -> Action {
        guard !ejected[server] else { return .none }
        servers[server].consecutiveFailures += 1
        guard servers[server].consecutiveFailures >= settings.consecutiveFailures else { return .none }
        readmitExpired(now: now)
        guard ejectedCount < settings.maxEjected(of: servers.count) else { return .keepAtLimit(server: server) }
        var state = servers[server]
        if let readmittedAt = state.readmittedAt, now - readmittedAt >= settings.maxEjectionTime { state.ejections = 0 }
        state.ejections += 1
        let (scaled, overflow) = settings.baseEjectionTime.nanoseconds.multipliedReportingOverflow(by: Int64(state.ejections))
        let period = overflow ? settings.maxEjectionTime : min(.nanoseconds(scaled), settings.maxEjectionTime)
        let until = now + period
        state.ejectedUntil = until
        state.consecutiveFailures = 0
        servers[server] = state
        ejected[server] = true
        ejectedCount += 1
        if nextReadmission.map({ until < $0 }) ?? true { nextReadmission = until }
        return .eject(server: server, until: until)
    }

    /// Readmits every server whose ejection ended by `now`; returns them.
    @discardableResult
    public mutating func readmitExpired(now: NIODeadline) -> [Int] {
        guard let next = nextReadmission, next <= now else { return [] }
        var readmitted: [Int] = []
        var earliest: NIODeadline? = nil
        for i in servers.indices {
            guard let until = servers[i].ejectedUntil else { continue }
            if until <= now {
                servers[i].ejectedUntil = nil
                servers[i].readmittedAt = until
                ejected[i] = false
                ejectedCount -= 1
                readmitted.append(i)
            } else if earliest.map({ until < $0 }) ?? true {
                earliest = until
            }
        }
        nextReadmission = earliest
        return readmitted
    }

    /// How many times `server` was ejected (since its count last started over).
    public func ejections(of server: Int) -> Int { servers[server].ejections }
}
