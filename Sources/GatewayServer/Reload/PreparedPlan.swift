import GatewayCore
import NIOCore
import NIOSSL

/// What a plan needs from the outside world before it can serve, gathered off the event loops.
struct PreparedPlan: Sendable {
    var addresses: [UpstreamSpec: [SocketAddress]]
    var upstreamTLS: [UpstreamSpec: NIOSSLContext]
    var services: PolicyServices
}
