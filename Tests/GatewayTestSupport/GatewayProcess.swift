import Foundation
import NIOCore

/// The real `gateway` binary (built beside the tests) running as a child process, its output
/// collected. ``stop()`` ends it; a test must call it (it kills after a bounded wait).
public final class GatewayProcess {
    public let process: ChildProcess

    /// The `gateway` executable of this build (`.build/debug/gateway` by default).
    public static var binary: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gateway").path
    }

    /// Starts the binary with `arguments`; `environment` is set on top of the test process's.
    public init(arguments: [String], environment: [String: String] = [:]) throws {
        process = try ChildProcess(Self.binary, arguments: arguments, environment: environment, output: .combined)
    }

    /// What the process wrote so far (standard output and error together).
    public var text: String { process.output }

    /// Polls (bounded: 600 × 50 ms) until the output contains `needle`.
    public func waitForOutput(_ needle: String) async -> Bool {
        for _ in 0..<600 {
            if text.contains(needle) { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    public func signal(_ number: Int32) {
        process.signal(number)
    }

    /// Sends SIGTERM and waits (bounded by `timeout` seconds) for the exit and the end of its
    /// output, so ``text`` is complete afterwards; kills it after that. Returns the exit status,
    /// or `nil` when it had to be killed.
    @discardableResult
    public func stop(timeout: Int = 30) async -> Int32? {
        if process.isRunning { signal(SIGTERM) }
        for _ in 0..<(timeout * 20) where process.isRunning || !process.outputEnded {
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        guard let status = process.terminationStatus else {
            signal(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return status
    }

    /// A port that was free a moment ago, for a configuration that must name its port because
    /// another process reads it (see ``FreePort``).
    public static func freePort(group: any EventLoopGroup) async throws -> Int {
        try await FreePort.pick(group: group)
    }
}
