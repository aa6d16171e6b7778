import GatewayCore
import NIOConcurrencyHelpers
import NIOCore

/// Probes one server of one upstream group again and again on one event loop, off the request
/// path, and reports each change of its verdict through `onChange` (healthy or not, and the
/// probe outcome that decided it).
///
/// Probes run one after another: the next is scheduled `interval` (plus jitter) after the previous
/// one ended, so a slow server never has two probes open. ``stop()`` cancels the next probe; a
/// probe in flight ends within its timeout and schedules nothing more.
public final class HealthChecker: Sendable {
    public struct Counts: Sendable, Equatable {
        public var healthy = true
        public var successes = 0
        public var failures = 0
    }

    private struct State {
        var machine: HealthCheckStateMachine
        var counts = Counts()
        var next: Scheduled<Void>?
        var stopped = false
    }

    public let eventLoop: any EventLoop
    public let probe: HealthProbe
    private let state: NIOLockedValueBox<State>
    private let onChange: @Sendable (_ healthy: Bool, _ outcome: HealthProbe.Outcome) -> Void
    /// A number in 0...1 per wait, for the jitter (random in the server, fixed in tests).
    private let random: @Sendable () -> Double

    public init(
        probe: HealthProbe,
        eventLoop: any EventLoop,
        random: @escaping @Sendable () -> Double = { .random(in: 0...1) },
        onChange: @escaping @Sendable (_ healthy: Bool, _ outcome: HealthProbe.Outcome) -> Void
    ) {
        self.probe = probe
        self.eventLoop = eventLoop
        self.random = random
        self.onChange = onChange
        self.state = NIOLockedValueBox(State(machine: HealthCheckStateMachine(probe.check)))
    }

    /// The first probe goes out within the jitter share of an interval (a fresh server is known
    /// to be down after `unhealthy_threshold` probes, not one interval later).
    public func start() {
        schedule(after: probe.check.delay(random: random()) - probe.check.interval)
    }

    public func stop() {
        state.withLockedValue { state in
            state.stopped = true
            state.next?.cancel()
            state.next = nil
        }
    }

    public var counts: Counts { state.withLockedValue { $0.counts } }
    public var isStopped: Bool { state.withLockedValue { $0.stopped } }

    private func schedule(after delay: TimeAmount) {
        state.withLockedValue { state in
            guard !state.stopped else { return }
            state.next = eventLoop.scheduleTask(in: delay) { self.runProbe() }
        }
    }

    private func runProbe() {
        guard !isStopped else { return }
        probe.run(on: eventLoop).whenSuccess { outcome in
            let change: Bool? = self.state.withLockedValue { state in
                guard !state.stopped else { return nil }
                let action: HealthCheckStateMachine.Action
                if outcome == .success {
                    state.counts.successes += 1
                    action = state.machine.probeSucceeded()
                } else {
                    state.counts.failures += 1
                    action = state.machine.probeFailed()
                }
                state.counts.healthy = state.machine.isHealthy
                switch action {
                case .none: return nil
                case .markUp: return true
                case .markDown: return false
                }
            }
            if let change { self.onChange(change, outcome) }
            self.schedule(after: self.probe.check.delay(random: self.random()))
        }
    }
}
