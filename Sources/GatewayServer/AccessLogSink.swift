import Dispatch
import GatewayCore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes access log lines to stdout or a file without blocking an event loop.
///
/// Each event loop appends lines to its own buffer (``LoopAccessLog``), which is handed over in
/// batches; the `write(2)` calls happen on one serial dispatch queue. No lock and no syscall per
/// request on the event loop.
public final class AccessLogSink: Sendable {
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let queue = DispatchQueue(label: "gateway.access-log")

    /// Opens the target; `nil` for `.off`.
    public static func open(_ target: AccessLogTarget) throws -> AccessLogSink? {
        switch target {
        case .off: return nil
        case .stdout: return AccessLogSink(fd: 1, ownsDescriptor: false)
        case .file(let path):
            let fd = path.withCString { Glibc.open($0, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640) }
            guard fd >= 0 else { throw AccessLogError(path: path, errno: errno) }
            return AccessLogSink(fd: fd, ownsDescriptor: true)
        }
    }

    private init(fd: Int32, ownsDescriptor: Bool) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
    }

    func submit(_ buffer: ByteBuffer) {
        let fd = self.fd
        queue.async { DescriptorWrite.all(fd, buffer) }
    }

    /// Waits until every submitted batch is written.
    public func flush() {
        queue.sync {}
    }

    deinit {
        if ownsDescriptor { _ = Glibc.close(fd) }
    }
}

public struct AccessLogError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "cannot open access log \(path): \(String(cString: strerror(errno)))" }
}

/// One event loop's access log buffer: lines accumulate and are submitted when the buffer grows
/// past 32 KiB or 100 ms after the first pending line.
final class LoopAccessLog {
    private let sink: AccessLogSink
    private let eventLoop: any EventLoop
    private var buffer: ByteBuffer
    private var flushScheduled = false
    /// The fields each line has, in order (resolved when the plan was compiled).
    private let fields: [AccessLogField]

    init(sink: AccessLogSink, eventLoop: any EventLoop, fields: [AccessLogField] = AccessLogField.defaults) {
        self.sink = sink
        self.eventLoop = eventLoop
        self.fields = fields
        self.buffer = ByteBuffer()
        buffer.reserveCapacity(64 * 1024)
    }

    func append(_ record: AccessLogRecord) {
        record.write(fields, to: &buffer)
        if buffer.readableBytes >= 32 * 1024 {
            flush()
        } else if !flushScheduled {
            flushScheduled = true
            eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) { [weak self] in
                guard let self else { return }
                self.flush()
            }
        }
    }

    func flush() {
        flushScheduled = false
        guard buffer.readableBytes > 0 else { return }
        sink.submit(buffer)
        buffer = ByteBuffer()
        buffer.reserveCapacity(64 * 1024)
    }
}

@available(*, unavailable)
extension LoopAccessLog: Sendable {}
