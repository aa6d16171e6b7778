import GatewayCore
import Logging
import Synchronization

/// The level of every subsystem, shared by all loggers of the process and changed by a reload.
///
/// One atomic word holds a level per subsystem (four bits each), so a logger asking whether a
/// line is wanted reads it without a lock.
public final class LogLevels: Sendable {
    private let packed: Atomic<UInt64>

    public init(_ settings: LogSettings = LogSettings()) {
        packed = Atomic(Self.pack(settings))
    }

    /// Applies the levels of `settings` (the format is fixed at start).
    public func apply(_ settings: LogSettings) {
        packed.store(Self.pack(settings), ordering: .relaxed)
    }

    func level(for subsystem: LogSubsystem) -> Logger.Level {
        let word = packed.load(ordering: .relaxed)
        let rank = Int((word >> Self.shift(subsystem)) & 0xF)
        return Self.swiftLogLevels[min(rank, Self.swiftLogLevels.count - 1)]
    }

    /// swift-log's levels in ``LogLevel/rank`` order.
    static let swiftLogLevels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]

    private static func shift(_ subsystem: LogSubsystem) -> UInt64 {
        UInt64(LogSubsystem.allCases.firstIndex(of: subsystem) ?? 0) * 4
    }

    private static func pack(_ settings: LogSettings) -> UInt64 {
        LogSubsystem.allCases.reduce(0) { word, subsystem in
            word | (UInt64(settings.level(for: subsystem).rank) << shift(subsystem))
        }
    }
}
