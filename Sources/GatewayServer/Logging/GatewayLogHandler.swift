import GatewayCore
import Logging
import NIOCore

/// The process log's `LogHandler`: one line per event (JSON or text, ``LogLineEncoder``) handed
/// to a ``LogWriter``, so logging never waits for stderr.
///
/// The level comes from the shared ``LogLevels`` table by the logger's subsystem (its label), so
/// a reload that changes `log { level … }` reaches loggers that already exist. Setting
/// `logLevel` on one logger overrides the table for that logger only.
public struct GatewayLogHandler: LogHandler {
    public let label: String
    let subsystem: LogSubsystem
    let format: LogFormat
    let levels: LogLevels
    let writer: LogWriter
    private var levelOverride: Logger.Level?
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, format: LogFormat, levels: LogLevels, writer: LogWriter, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.subsystem = LogSubsystem(label: label)
        self.format = format
        self.levels = levels
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { levelOverride ?? levels.level(for: subsystem) }
        set { levelOverride = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        writer.write(LogLineEncoder.encode(format, label: label, level: event.level, message: "\(event.message)", metadata: merged, error: event.error))
    }

    /// The same handler for another subsystem's label.
    func relabeled(_ label: String) -> GatewayLogHandler {
        var copy = GatewayLogHandler(label: label, format: format, levels: levels, writer: writer, metadataProvider: metadataProvider)
        copy.metadata = metadata
        return copy
    }
}

extension Logger {
    /// The logger of `subsystem`, writing where this one writes: with a ``GatewayLogHandler`` it
    /// gets the subsystem's label and level; any other handler (a test's) is shared as it is.
    public func subsystem(_ subsystem: LogSubsystem) -> Logger {
        let handler = self.handler
        if let own = handler as? GatewayLogHandler {
            return Logger(label: subsystem.label) { label in own.relabeled(label) }
        }
        return Logger(label: subsystem.label) { _ in handler }
    }
}
