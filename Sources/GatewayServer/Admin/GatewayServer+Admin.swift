import GatewayCore
import NIOCore
import NIOHTTP1
import NIOPosix

extension GatewayServer {
    /// The address the admin listener is bound to (with the real port when the plan said 0).
    public var adminAddress: SocketAddress? { admin.withLockedValue { $0?.channel.localAddress } }

    /// Binds the admin listener `spec` asks for, keeping `existing` when its address is the same.
    /// Returns the listener to keep and the one to close once the new plan serves.
    func bindAdmin(_ spec: AdminSpec?, keeping existing: BoundAdmin?) async throws -> (keep: BoundAdmin?, close: BoundAdmin?) {
        guard let spec else { return (nil, existing) }
        if let existing, existing.listener == spec.listener { return (existing, nil) }
        let endpoints = AdminEndpoints(server: self)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(AdminHandler(endpoints: endpoints))
                    }
                }
                .bind(host: spec.listener.bindHost, port: spec.listener.port).get()
            logger.subsystem(.admin).info("admin listening", metadata: ["address": "\(channel.localAddress?.description ?? spec.listener.displayAddress)"])
            return (BoundAdmin(listener: spec.listener, channel: channel), existing)
        } catch {
            throw ListenerError(listener: spec.listener, underlying: error)
        }
    }

    /// Closes the admin listener (the last thing a shutdown does, so `/readyz` reports the drain).
    func closeAdmin() async {
        let bound = admin.withLockedValue { admin in
            defer { admin = nil }
            return admin
        }
        try? await bound?.channel.close()
    }

    /// `/readyz`: 200 while every listener of the plan is bound and accepting and no dependency
    /// blocks readiness (``DependencyStatus``), 503 otherwise (during a drain in particular),
    /// with the plan's generation, the reload record and the dependencies. `degraded` is true
    /// while a dependency fails that readiness does not require.
    func readiness() -> AdminResponse {
        let plan = self.plan
        let bound = listeners.withLockedValue { $0 }
        let status = reloadStatus
        let draining = isShuttingDown
        let up = bound.filter { $0.channel.isActive }
        let dependencies = self.dependencies()
        let ready = !draining && up.count == plan.listeners.count && !dependencies.contains(where: \.blocksReadiness)
        let degraded = dependencies.contains { $0.failing && !$0.blocksReadiness }
        let addresses = bound.map { listener in
            #"{"address":\#(AdminResponse.quoted(listener.channel.localAddress?.description ?? listener.spec.displayAddress)),"up":\#(listener.channel.isActive)}"#
        }
        let lastError = status.lastError.map(AdminResponse.quoted) ?? "null"
        let body = #"{"ready":\#(ready),"degraded":\#(degraded),"draining":\#(draining),"generation":\#(status.generation),"#
            + #""listeners":[\#(addresses.joined(separator: ","))],"#
            + #""reloads":{"succeeded":\#(status.succeeded),"failed":\#(status.failed),"last_error":\#(lastError)},"#
            + #""dependencies":[\#(dependencies.map(\.json).joined(separator: ","))]}"#
        return .json(ready ? .ok : .serviceUnavailable, body)
    }
}
