import GatewayCore
import NIOCore

/// The admin listener's socket and the address it was bound for.
struct BoundAdmin: Sendable {
    let listener: ListenerSpec
    let channel: any Channel
}
