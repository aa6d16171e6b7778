import GatewayCore
import NIOCore

/// A listening socket of the running gateway and the spec it was bound for. A reload keeps it
/// while the new plan has an equal spec, and closes it (open connections finish) otherwise.
struct BoundListener: Sendable {
    let spec: ListenerSpec
    let channel: any Channel
    let certificates: TLSListenerStore?
}
