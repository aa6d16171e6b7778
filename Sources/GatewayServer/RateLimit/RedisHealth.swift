import GatewayUpstream
import NIOConcurrencyHelpers

/// Whether the gateway reaches a Redis store, from its clients' connection changes (never per
/// request): `up` while at least one connection of any event loop's client is up.
///
/// `/readyz` reports it with the time of the last change and the last failure.
final class RedisHealth: Sendable {
    struct Snapshot: Sendable, Equatable {
        var up: Bool
        /// Connections up, over all event loops.
        var connected: Int
        /// When the store last went up or down (Unix milliseconds); the start while never up.
        var sinceMillis: Int64
        /// The last failure (`connect failed: …`), kept after the store came back.
        var lastError: String?
    }

    private struct State {
        var connectedByLoop: [ObjectIdentifier: Int] = [:]
        var snapshot: Snapshot
    }

    private let state: NIOLockedValueBox<State>

    init() {
        state = NIOLockedValueBox(State(snapshot: Snapshot(up: false, connected: 0, sinceMillis: WallClock.now(), lastError: nil)))
    }

    func record(_ change: RedisConnectionChange) {
        state.withLockedValue { state in
            state.connectedByLoop[change.loop] = change.connected
            let connected = state.connectedByLoop.values.reduce(0, +)
            if !change.up { state.snapshot.lastError = change.reason }
            if (connected > 0) != state.snapshot.up {
                state.snapshot.up = connected > 0
                state.snapshot.sinceMillis = WallClock.now()
            }
            state.snapshot.connected = connected
        }
    }

    var snapshot: Snapshot { state.withLockedValue { $0.snapshot } }
}
