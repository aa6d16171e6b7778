import Foundation

/// Every child process the tests start is launched through here, one at a time. Foundation's
/// `Process.run` walks /proc/self/fd to choose the descriptors the child closes, and launches
/// from tests running in parallel have crashed the test process there.
public enum ProcessLaunch {
    private static let lock = NSLock()

    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
