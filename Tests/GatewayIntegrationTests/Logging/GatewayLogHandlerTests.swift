import Foundation
import GatewayCore
import GatewayTestSupport
import Logging
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import GatewayServer

/// The process log handler: levels per subsystem from a shared table that a reload changes, lines
/// through a writer that never blocks the caller and counts what it had to drop.
@Suite("Process log handler") struct GatewayLogHandlerTests {
    /// A pipe whose read end the test drains; closed by ``close()``.
    final class PipeEnds: Sendable {
        let read: Int32
        let write: Int32

        init() throws {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
            read = fds[0]
            write = fds[1]
        }

        /// Everything written until the write end is closed (bounded by `limit` bytes).
        func drain(limit: Int = 64 << 20) -> String {
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while out.count < limit {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                out += chunk[0..<n]
            }
            return String(decoding: out, as: UTF8.self)
        }

        func closeWrite() { _ = Glibc.close(write) }
        func closeRead() { _ = Glibc.close(read) }
    }

    @Test func subsystemLevelsComeFromTheSharedTableAndFollowItsChanges() throws {
        let pipe = try PipeEnds()
        defer { pipe.closeRead() }
        let levels = LogLevels(LogSettings(level: .warning, levels: [.upstream: .debug]))
        let writer = LogWriter(fd: pipe.write, format: .json)
        let root = Logger(label: "gateway") { GatewayLogHandler(label: $0, format: .json, levels: levels, writer: writer) }
        let upstream = root.subsystem(.upstream)
        let reload = root.subsystem(.reload)
        #expect(upstream.label == "gateway.upstream")
        #expect(upstream.logLevel == .debug)
        #expect(reload.logLevel == .warning)
        #expect(root.logLevel == .warning)

        upstream.debug("upstream detail")
        reload.info("reload chatter")
        reload.warning("reload warning")
        levels.apply(LogSettings(level: .info, levels: [.upstream: .error]))
        #expect(upstream.logLevel == .error)
        #expect(reload.logLevel == .info)
        upstream.warning("upstream warning after the change")
        reload.info("reload info after the change")
        var overridden = reload
        overridden.logLevel = .critical
        overridden.error("overridden")

        writer.flush()
        pipe.closeWrite()
        let lines = pipe.drain().split(separator: "\n").map(String.init)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["msg"] as? String } == ["upstream detail", "reload warning", "reload info after the change"])
        #expect(objects.map { $0["logger"] as? String } == ["gateway.upstream", "gateway.reload", "gateway.reload"])
    }

    @Test func aLoggerWithAnotherHandlerKeepsItForEverySubsystem() {
        let captured = CapturedLog()
        let jwks = captured.logger.subsystem(.jwks)
        #expect(jwks.label == "gateway.jwks")
        jwks.warning("fetched")
        #expect(captured.messages == ["warning fetched "])
    }

    /// A writer whose descriptor is not read does not block the thread that logs: past its bound
    /// it drops lines, and says how many once the output moves again.
    @Test func aStuckOutputDropsLinesAndCountsThem() throws {
        let pipe = try PipeEnds()
        defer { pipe.closeRead() }
        let writer = LogWriter(fd: pipe.write, format: .json)
        let payload = String(repeating: "x", count: 1000)
        var line = ByteBuffer()
        line.writeString(#"{"msg":"\#(payload)"}"# + "\n")
        // 3 MiB while nothing reads: the pipe (64 KiB) and the writer's bound (1 MiB) fill up.
        for _ in 0..<3000 { writer.write(line) }
        let drained = Handoff()
        let thread = Thread { drained.set(pipe.drain()) }
        thread.start()
        writer.flush()
        // The drop report is written by the queue after the pending bytes; one more line makes
        // sure a drain ran after the drops were counted.
        writer.write(line)
        writer.flush()
        pipe.closeWrite()
        let text = drained.wait()
        let written = text.split(separator: "\n")
        // The drops may come in more than one run (the queue can drain part of the backlog while
        // lines are still being written), each reported once: every line is either written or
        // counted in a report.
        let reports = written.filter { $0.contains("log lines dropped") }
        #expect(!reports.isEmpty)
        var dropped = 0
        for report in reports {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
            dropped += try #require(Int(object["dropped"] as? String ?? ""))
        }
        let lines = written.count - reports.count
        #expect(lines < 3001)
        #expect(dropped == 3001 - lines)
    }
}

/// A value one thread sets and another waits for (bounded: 30 s).
final class Handoff: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: String?

    func set(_ text: String) {
        condition.lock()
        value = text
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> String {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(30)
        while value == nil, condition.wait(until: deadline) {}
        return value ?? ""
    }
}
