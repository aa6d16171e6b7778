import GatewayCore
import Logging
import ServiceLifecycle

/// Runs a ``GatewayServer`` under swift-service-lifecycle: started when the group runs, drained
/// on graceful shutdown (SIGTERM, SIGINT).
public struct GatewayService: Service {
    public let server: GatewayServer

    public init(server: GatewayServer) {
        self.server = server
    }

    public func run() async throws {
        try await server.start()
        // Returns on graceful shutdown; throws CancellationError if the group is cancelled.
        try? await gracefulShutdown()
        await server.shutdown()
    }
}
