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

    /// Starts the server (again) on ``port`` and waits until it answers `PING`, at most 20 s. The
    /// error says whether it exited, what it printed and what `redis-cli` last got.
    public func start() async throws {
        let arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--protected-mode", "no", "--loglevel", "warning",
        ]
        let process = try ChildProcess("/usr/bin/redis-server", arguments: arguments, output: .combined)
        lock.withLock { self.process = process }
        let deadline = ContinuousClock.now + .seconds(20)
        var last = "no answer"
        // Bounded by the deadline and by 400 × 50 ms of sleep.
        for _ in 0..<400 where ContinuousClock.now < deadline && process.isRunning {
            do {
                let answer = try cli("PING")
                if answer == "PONG" { return }
                last = "answered \(answer.debugDescription)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let state = process.terminationStatus.map { "exited with status \($0)" } ?? "still running"
        kill()
        throw TestRedisError.didNotStart(
            "redis-server on port \(port) did not answer PING (\(state); redis-cli last: \(last)); its output:\n\(process.output)")
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
