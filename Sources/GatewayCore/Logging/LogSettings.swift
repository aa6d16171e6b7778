/// How the process log (not the access log) is written: `log { format json; level info; level upstream debug; }`.
public struct LogSettings: Sendable, Hashable {
    /// How each line is written; fixed when the process starts.
    public var format: LogFormat
    /// The level of every subsystem not named in ``levels``.
    public var level: LogLevel
    /// Levels set for single subsystems.
    public var levels: [LogSubsystem: LogLevel]

    public init(format: LogFormat = .json, level: LogLevel = .info, levels: [LogSubsystem: LogLevel] = [:]) {
        self.format = format
        self.level = level
        self.levels = levels
    }

    /// The level that applies to `subsystem`.
    public func level(for subsystem: LogSubsystem) -> LogLevel { levels[subsystem] ?? level }
}

/// The shape of a process log line.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// One JSON object per line: `ts`, `level`, `logger`, `msg`, then the metadata as fields.
    case json
    /// `TS LEVEL LOGGER: MESSAGE key=value…`, for a person reading a terminal.
    case text

    public static let names = allCases.map(\.rawValue)
}
