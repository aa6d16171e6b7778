import Logging
import NIOConcurrencyHelpers

/// A logger whose messages (with metadata) are kept for assertions.
public final class CapturedLog: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    public init() {}

    public var logger: Logger {
        var logger = Logger(label: "gateway.test") { _ in Handler(lines: self.lines) }
        logger.logLevel = .info
        return logger
    }

    public var messages: [String] { lines.withLockedValue { $0 } }

    public func contains(_ text: String) -> Bool { messages.contains { $0.contains(text) } }

    struct Handler: LogHandler {
        let lines: NIOLockedValueBox<[String]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.withLockedValue { $0.append("\(event.level) \(event.message) \(rendered)") }
        }
    }
}
