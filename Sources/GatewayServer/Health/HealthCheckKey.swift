import GatewayCore
import NIOCore

/// What a checker's state belongs to: one server (by host, port and resolved address, not weight)
/// of one upstream, probed one way. A reload that keeps all of it keeps the checker and its
/// verdict; a name that resolves to a new address is a new server, checked afresh.
struct HealthCheckKey: Sendable, Hashable {
    var upstream: String
    var host: String
    var port: Int
    var address: SocketAddress
    var check: HealthCheck
    /// How the probe speaks TLS is part of the probe.
    var tls: UpstreamTLS?

    /// The key of `spec`'s server `index` at `address`; `nil` when `spec` has no health check.
    init?(_ spec: UpstreamSpec, server index: Int, address: SocketAddress) {
        guard let check = spec.healthCheck else { return nil }
        self.upstream = spec.name
        self.host = spec.servers[index].host
        self.port = spec.servers[index].port
        self.address = address
        self.check = check
        self.tls = spec.tls
    }

    var server: String { UpstreamServer(host: host, port: port).description }
}
