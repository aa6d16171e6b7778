import Foundation
import NIOCore

/// A real `redis-server` for tests: on a free port of 127.0.0.1, without persistence, stopped,
/// killed, paused and restarted on the same port by the test. Commands go through `redis-cli`.
public final class TestRedis: @unchecked Sendable {
    public let port: Int
    private let lock = NSLock()
    private var process: ChildProcess?

    /// Starts a server on a port that was free a moment ago (``FreePort``). Should another process
    /// take it first, the server exits for that and is started again on another port, at most 5
    /// times in all.
    public init(group: any EventLoopGroup) async throws {
        var taken: [Int] = []
        for _ in 0..<5 {
            let port = try await FreePort.pick(group: group)
            do {
                let process = try await Self.launch(port: port)
                self.port = port
                self.process = process
                return
            } catch TestRedisError.portTaken {
                taken.append(port)
            }
        }
        throw TestRedisError.portTaken("ports \(taken) were all taken before redis-server bound them")
    }

    public var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts the server (again) on ``port`` and waits until it answers `PING`, at most 20 s.
    public func start() async throws {
        let process = try await Self.launch(port: port)
        lock.withLock { self.process = process }
    }

    /// Starts redis-server on `port` and waits until it answers `PING`, at most 20 s. The error
    /// says whether it exited, what it printed and what `redis-cli` last got.
    private static func launch(port: Int) async throws -> ChildProcess {
        let arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--protected-mode", "no", "--loglevel", "warning",
        ]
        let process = try ChildProcess("/usr/bin/redis-server", arguments: arguments, output: .combined)
        let deadline = ContinuousClock.now + .seconds(20)
        var last = "no answer"
        // Bounded by the deadline and by 400 × 50 ms of sleep.
        for _ in 0..<400 where ContinuousClock.now < deadline && process.isRunning {
            do {
                let answer = try cli(port: port, ["PING"])
                if answer == "PONG" { return process }
                last = "answered \(answer.debugDescription)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let state = process.terminationStatus.map { "exited with status \($0)" } ?? "still running"
        process.signal(SIGKILL)
        process.waitUntilExit()
        _ = process.waitForEndOfOutput(timeout: .seconds(5))
        let message = "redis-server on port \(port) did not answer PING (\(state); redis-cli last: \(last)); its output:\n\(process.output)"
        if process.output.contains("Address already in use") { throw TestRedisError.portTaken(message) }
        throw TestRedisError.didNotStart(message)
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
        try Self.cli(port: port, arguments)
    }

    private static func cli(port: Int, _ arguments: [String]) throws -> String {
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
    /// It exited because its port was in use.
    case portTaken(String)
}
