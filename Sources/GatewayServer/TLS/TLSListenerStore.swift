import GatewayCore
import Logging
import NIOConcurrencyHelpers
import NIOSSL

/// The certificates a TLS listener serves right now. New handshakes read the current set (one
/// lock per connection, never per request); ``reloadIfChanged(logger:)`` swaps in a new set when
/// the files change and keeps the old one when the new files are unusable.
final class TLSListenerStore: Sendable {
    let tls: ListenerTLS
    let http2: Bool
    let listener: String
    private let current: NIOLockedValueBox<ServerCertificates>
    /// The file bytes of the last refused attempt, so a bad file is reported once, not every tick.
    private let refused = NIOLockedValueBox<[[UInt8]]?>(nil)

    /// Loads the certificates (blocking); throws when they cannot serve.
    init(listener: ListenerSpec, tls: ListenerTLS) throws {
        self.tls = tls
        self.http2 = listener.http2
        self.listener = listener.displayAddress
        self.current = NIOLockedValueBox(try ServerCertificates.load(tls, http2: listener.http2))
    }

    func context(for serverName: String?) -> NIOSSLContext {
        current.withLockedValue { $0.context(for: serverName) }
    }

    /// The result of one check of the files.
    enum ReloadOutcome: Equatable {
        case unchanged
        case reloaded
        case refused(String)
    }

    /// Re-reads the files (blocking); when they changed, builds and installs new contexts.
    @discardableResult
    func reloadIfChanged(logger: Logger) -> ReloadOutcome {
        let sources: [[UInt8]]
        do {
            sources = try ServerCertificates.sources(of: tls)
        } catch {
            return refuse("\(error)", sources: nil, logger: logger)
        }
        if current.withLockedValue({ $0.sources == sources }) { return .unchanged }
        if refused.withLockedValue({ $0 == sources }) { return .unchanged }
        do {
            let next = try ServerCertificates.load(tls, http2: http2)
            current.withLockedValue { $0 = next }
            refused.withLockedValue { $0 = nil }
            logger.info("certificates reloaded", metadata: ["listener": "\(listener)"])
            return .reloaded
        } catch {
            return refuse("\(error)", sources: sources, logger: logger)
        }
    }

    private func refuse(_ reason: String, sources: [[UInt8]]?, logger: Logger) -> ReloadOutcome {
        let repeated = refused.withLockedValue { previous in
            defer { previous = sources }
            return sources != nil && previous == sources
        }
        if !repeated {
            logger.error(
                "new certificate refused, the previous one keeps serving",
                metadata: ["listener": "\(listener)", "reason": "\(reason)"])
        }
        return .refused(reason)
    }
}
