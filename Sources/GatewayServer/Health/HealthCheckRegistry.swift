import GatewayCore
import GatewayUpstream
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The active health checkers of the running plan, one per ``HealthCheckKey``, each on one event
/// loop of the server (spread over them). A change of verdict is logged and pushed to every event
/// loop (`EventLoop.execute`), where each loop's pools take it: the request path reads only its
/// own loop's state and never this registry.
///
/// ``update(_:addresses:upstreamTLS:)`` keeps the checkers (and verdicts) whose key the new plan
/// still has, stops the others and starts new ones.
final class HealthCheckRegistry: Sendable {
    struct Status: Sendable, Equatable {
        var upstream: String
        var server: String
        var counts: HealthChecker.Counts
    }

    typealias Broadcast = @Sendable (HealthCheckKey, _ healthy: Bool) -> Void

    private let group: any EventLoopGroup
    private let logger: Logger
    private let checkers = NIOLockedValueBox<[HealthCheckKey: HealthChecker]>([:])
    private let broadcast = NIOLockedValueBox<Broadcast?>(nil)

    init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
    }

    /// Where verdict changes go (every event loop's pools); set once the loops exist.
    func deliver(to broadcast: @escaping Broadcast) {
        self.broadcast.withLockedValue { $0 = broadcast }
    }

    /// Runs the checkers `plan` asks for: kept when their key is unchanged, started when new,
    /// stopped when gone. `addresses` and `upstreamTLS` are those prepared for `plan`.
    func update(_ plan: GatewayPlan, addresses: [UpstreamSpec: [SocketAddress]], upstreamTLS: [UpstreamSpec: NIOSSLContext]) {
        var wanted: [HealthCheckKey: HealthProbe] = [:]
        for spec in plan.upstreams.values {
            guard let resolved = addresses[spec] else { continue }
            for index in spec.servers.indices {
                guard let key = HealthCheckKey(spec, server: index, address: resolved[index]), wanted[key] == nil else { continue }
                let hostHeader: String
                if case .http(_, let host?, _) = key.check.kind { hostHeader = host } else { hostHeader = key.server }
                wanted[key] = HealthProbe(
                    check: key.check, address: resolved[index], tlsContext: upstreamTLS[spec], serverName: spec.tlsServerName(for: index),
                    hostHeader: hostHeader)
            }
        }
        let (started, stopped) = checkers.withLockedValue { checkers -> ([HealthChecker], [HealthChecker]) in
            var stopped: [HealthChecker] = []
            for (key, checker) in checkers where wanted[key] == nil {
                stopped.append(checker)
                checkers[key] = nil
            }
            var started: [HealthChecker] = []
            for (key, probe) in wanted where checkers[key] == nil {
                let checker = HealthChecker(probe: probe, eventLoop: group.next()) { [weak self] healthy, outcome in
                    self?.changed(key, healthy: healthy, outcome: outcome)
                }
                checkers[key] = checker
                started.append(checker)
            }
            return (started, stopped)
        }
        for checker in stopped { checker.stop() }
        for checker in started { checker.start() }
    }

    /// The verdict for `key`: healthy unless its checker holds it down (or there is none).
    func isHealthy(_ key: HealthCheckKey) -> Bool {
        checkers.withLockedValue { $0[key]?.counts.healthy ?? true }
    }

    /// Every checker's verdict and probe counts, for `/metrics`.
    func statuses() -> [Status] {
        checkers.withLockedValue { checkers in
            checkers.map { Status(upstream: $0.key.upstream, server: $0.key.server, counts: $0.value.counts) }
        }
    }

    var count: Int { checkers.withLockedValue { $0.count } }

    /// Stops every checker (shutdown): no probe is scheduled after this returns.
    func stopAll() {
        let all = checkers.withLockedValue { checkers in
            defer { checkers = [:] }
            return Array(checkers.values)
        }
        for checker in all { checker.stop() }
    }

    private func changed(_ key: HealthCheckKey, healthy: Bool, outcome: HealthProbe.Outcome) {
        let current = checkers.withLockedValue { $0[key] != nil }
        guard current else { return }
        // Pushed before the log line, so that whoever reads the line finds every loop's task queued.
        broadcast.withLockedValue { $0 }?(key, healthy)
        if healthy {
            logger.notice("upstream server healthy", metadata: ["upstream": "\(key.upstream)", "server": "\(key.server)"])
        } else {
            var reason = ""
            if case .failure(let why) = outcome { reason = why }
            logger.warning(
                "upstream server unhealthy", metadata: ["upstream": "\(key.upstream)", "server": "\(key.server)", "reason": "\(reason)"])
        }
    }
}
