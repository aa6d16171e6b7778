import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The real `gateway` binary (built beside the tests) running as a child process, its output
/// collected. ``stop()`` ends it; a test must call it (it kills after a bounded wait).
public final class GatewayProcess {
    public let process: Process
    private let output = NIOLockedValueBox("")

    /// The `gateway` executable of this build (`.build/debug/gateway` by default).
    public static var binary: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/gateway").path
    }

    public init(arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { output.withLockedValue { $0 += String(decoding: data, as: UTF8.self) } }
        }
        self.process = process
        try ProcessLaunch.run(process)
    }

    /// What the process wrote so far (standard output and error together).
    public var text: String { output.withLockedValue { $0 } }

    /// Polls (bounded: 600 × 50 ms) until the output contains `needle`.
    public func waitForOutput(_ needle: String) async -> Bool {
        for _ in 0..<600 {
            if text.contains(needle) { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Sends SIGTERM and waits (bounded by `timeout` seconds) for the exit; kills it after that.
    /// Returns the exit status, or `nil` when it had to be killed.
    @discardableResult
    public func stop(timeout: Int = 30) async -> Int32? {
        if process.isRunning { signal(SIGTERM) }
        for _ in 0..<(timeout * 20) where process.isRunning {
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        guard !process.isRunning else {
            signal(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// A port that was free a moment ago (bound to port 0, then released), for a configuration
    /// that must name its port because another process reads it.
    public static func freePort(group: any EventLoopGroup) async throws -> Int {
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }
}
