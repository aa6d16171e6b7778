/// The admin listener (`admin ADDRESS { token TOKEN; }`): health, readiness, metrics, the
/// effective configuration and reload, on a port of its own. Off unless configured; an address
/// without a host binds the loopback address only.
public struct AdminSpec: Sendable, Hashable {
    /// Where it listens (cleartext HTTP/1.1).
    public var listener: ListenerSpec
    /// When set, every endpoint but `/healthz` and `/readyz` wants `Authorization: Bearer TOKEN`.
    public var token: String?

    public init(listener: ListenerSpec, token: String? = nil) {
        self.listener = listener
        self.token = token
    }
}
