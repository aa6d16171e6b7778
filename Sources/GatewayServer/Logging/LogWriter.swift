import Dispatch
import GatewayCore
import NIOConcurrencyHelpers
import NIOCore

/// Writes process log lines to a file descriptor (stderr) without blocking the thread that logs.
///
/// A line is appended to a pending buffer under a lock held for the copy only; one serial
/// dispatch queue does the `write(2)` calls. When the descriptor is slower than the logging (a
/// stuck terminal or pipe), the buffer stops growing at ``limit`` bytes: later lines are dropped
/// and counted, and the count is written as a line of its own once the writer catches up.
public final class LogWriter: Sendable {
    /// The most bytes waiting to be written.
    static let limit = 1 << 20

    private struct State {
        var pending = ByteBuffer()
        var scheduled = false
        var dropped = 0
    }

    private let fd: Int32
    private let state = NIOLockedValueBox(State())
    private let queue = DispatchQueue(label: "gateway.log")
    /// The format of the line that reports dropped lines.
    private let format: LogFormat

    /// A writer to standard error.
    public static func standardError(format: LogFormat) -> LogWriter {
        LogWriter(fd: 2, format: format)
    }

    init(fd: Int32, format: LogFormat) {
        self.fd = fd
        self.format = format
    }

    func write(_ line: ByteBuffer) {
        let schedule = state.withLockedValue { state -> Bool in
            guard state.pending.readableBytes + line.readableBytes <= Self.limit else {
                state.dropped += 1
                return false
            }
            var line = line
            state.pending.writeBuffer(&line)
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        if schedule { queue.async { self.drain() } }
    }

    /// Waits until every line logged so far is written.
    public func flush() {
        queue.sync {}
    }

    private func drain() {
        let (bytes, dropped) = state.withLockedValue { state in
            defer {
                state.pending = ByteBuffer()
                state.scheduled = false
                state.dropped = 0
            }
            return (state.pending, state.dropped)
        }
        DescriptorWrite.all(fd, bytes)
        if dropped > 0 {
            let line = LogLineEncoder.encode(
                format, label: LogSubsystem.gateway.label, level: .warning, message: "log lines dropped: the log output is not keeping up",
                metadata: ["dropped": "\(dropped)"])
            DescriptorWrite.all(fd, line)
        }
    }
}
