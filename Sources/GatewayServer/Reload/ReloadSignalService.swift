import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration of a ``GatewayServer`` on every SIGHUP, until graceful shutdown.
/// The reload itself runs off the event loops (``GatewayServer/reload()``); a signal that
/// arrives during a reload queues one more.
public struct ReloadSignalService: Service {
    public let server: GatewayServer
    private let signals: UnixSignalsSequence

    /// Traps SIGHUP at once (before the server starts), so that an early signal reloads instead
    /// of ending the process.
    public init(server: GatewayServer) async {
        self.server = server
        self.signals = await UnixSignalsSequence(trapping: .sighup)
    }

    public func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            _ = await server.reload()
        }
    }
}
