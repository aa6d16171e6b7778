import Foundation
import NIOCore
import NIOPosix

/// A real `redis-server` for tests: on a free port of 127.0.0.1, without persistence, stopped,
/// killed, paused and restarted on the same port by the test. Commands go through `redis-cli`.
public final class TestRedis: @unchecked Sendable {
    public let port: Int
    private let lock = NSLock()
    private var process: Process?

    /// Starts a server on a port that was free a moment ago (bound to 127.0.0.1:0 and closed).
    public init(group: any EventLoopGroup) async throws {
        let probe = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        self.port = probe.localAddress!.port!
        try await probe.close()
        try await start()
    }

    public var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts the server (again) on ``port`` and waits until it answers `PING`, at most 10 s.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--protected-mode", "no", "--loglevel", "warning",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        lock.withLock { self.process = process }
        for _ in 0..<200 {
            if !process.isRunning { break }
            if (try? cli("PING")) == "PONG" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill()
        throw TestRedisError.didNotStart("redis-server on port \(port) did not answer PING")
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    public func kill() {
        guard let process = lock.withLock({ () -> Process? in defer { self.process = nil }; return self.process }) else { return }
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    public func pause() { signal(SIGSTOP) }

    public func resume() { signal(SIGCONT) }

    private func signal(_ signal: Int32) {
        guard let process = lock.withLock({ self.process }) else { return }
        Foundation.kill(process.processIdentifier, signal)
    }

    /// Runs one command with `redis-cli` and returns its output without the final newline.
    @discardableResult
    public func cli(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        process.arguments = ["-h", "127.0.0.1", "-p", String(port)] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    deinit {
        kill()
    }
}

/// Why a ``TestRedis`` could not be started.
public enum TestRedisError: Error {
    case didNotStart(String)
}
