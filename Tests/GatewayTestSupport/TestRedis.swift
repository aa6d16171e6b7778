import Foundation
import NIOCore
import NIOPosix

/// A real `redis-server` for tests: on a free port of 127.0.0.1, without persistence, stopped,
/// killed, paused and restarted on the same port by the test. Commands go through `redis-cli`.
public final class TestRedis: @unchecked Sendable {
    public let port: Int
    private let lock = NSLock()
    private var process: ChildProcess?

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
        let arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--protected-mode", "no", "--loglevel", "warning",
        ]
        let process = try ChildProcess("/usr/bin/redis-server", arguments: arguments, output: .discarded)
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
        guard let process = lock.withLock({ () -> ChildProcess? in defer { self.process = nil }; return self.process }) else { return }
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    /// Freezes the server (SIGSTOP): connections stay open, nothing answers.
    public func pause() { signal(SIGSTOP) }

    public func resume() { signal(SIGCONT) }

    private func signal(_ signal: Int32) {
        lock.withLock { self.process }?.signal(signal)
    }

    /// Runs one command with `redis-cli` and returns its output without the final newline. One
    /// that has not finished after 30 s (a paused server) is killed and throws.
    @discardableResult
    public func cli(_ arguments: String...) throws -> String {
        let process = try ChildProcess(
            "/usr/bin/redis-cli", arguments: ["-h", "127.0.0.1", "-p", String(port)] + arguments, output: .standardOutput)
        return try process.collect(timeout: .seconds(30)).output.trimmingCharacters(in: .newlines)
    }

    deinit {
        kill()
    }
}

/// Why a ``TestRedis`` could not be started.
public enum TestRedisError: Error {
    case didNotStart(String)
}
