import CChildProcess
import Foundation
import Glibc
import NIOConcurrencyHelpers

/// A child process of the tests, started with `posix_spawnp` directly on glibc.
///
/// Foundation's `Process` is not used: launches from suites running in parallel have crashed the
/// test process inside `Process.run` (while it walked /proc/self/fd to pick the descriptors to
/// close), and it also reaps children from a SIGCHLD dispatch source and reads pipes from dispatch
/// threads. Here nothing runs in the background but one reader thread per child with output, and
/// `posix_spawn` needs no lock: glibc's spawn shares no state between concurrent calls.
///
/// What the child gets:
/// - standard input from /dev/null; standard output and error per ``Output``;
/// - no other descriptor: every descriptor from 3 up is closed in the child, close-on-exec or not,
///   so a pipe of one child never leaks into another one spawned at the same moment (which would
///   keep the first one's output open after it exits);
/// - default signal dispositions and an empty signal mask, whatever the test process ignores
///   (SIGPIPE) or blocks;
/// - the executable looked up on this process's `PATH` when it has no slash, as env(1) did.
///
/// Exit: the child is reaped exactly once, under a lock, and its status kept. ``signal(_:)`` sends
/// nothing after that, so a signal can never reach another process that reused the pid. A
/// `ChildProcess` that goes away reaps a child that has ended, and leaves a running one alone.
public final class ChildProcess: Sendable {
    /// Where standard output and error go.
    public enum Output: Sendable {
        /// Both to /dev/null.
        case discarded
        /// Standard output collected, standard error to /dev/null.
        case standardOutput
        /// Both collected together through one pipe, in the order the child wrote them.
        case combined
    }

    public let pid: pid_t
    /// The termination status once the child has been reaped.
    private let reaped = NIOLockedValueBox<Int32?>(nil)
    private let collector: OutputCollector?

    /// Starts `executable` (a path, or a name looked up on `PATH`) with `arguments` (after
    /// argv[0]). `environment` is set on top of this process's environment (empty: unchanged).
    public init(_ executable: String, arguments: [String], environment: [String: String] = [:], output: Output) throws {
        var fds: [Int32] = [-1, -1]
        if output != .discarded {
            guard c_child_process_pipe_cloexec(&fds) == 0 else { throw ChildProcessError.failed("pipe2", executable, errno) }
        }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let pid: pid_t
        do {
            pid = try Self.spawn(executable, arguments: arguments, environment: environment, output: output, writeEnd: writeEnd)
        } catch {
            if readEnd >= 0 {
                close(readEnd)
                close(writeEnd)
            }
            throw error
        }
        // The child has its own copy of the write end; ours must go, or the reader would never
        // see the end of the output.
        if writeEnd >= 0 { close(writeEnd) }
        self.pid = pid
        collector = readEnd >= 0 ? OutputCollector(reading: readEnd, name: "child \(pid)") : nil
    }

    /// What the child wrote so far to the collected output (empty for ``Output/discarded``).
    public var output: String { collector?.text ?? "" }

    /// True once the collected output has reached its end (always for ``Output/discarded``).
    public var outputEnded: Bool { collector?.hasEnded ?? true }

    /// Waits (blocking, at most `timeout`) until the child's output reaches its end: the child, and
    /// anything it started that kept its output, closed it. True when it did.
    public func waitForEndOfOutput(timeout: Duration) -> Bool {
        collector?.waitForEnd(timeout: timeout) ?? true
    }

    /// The termination status once the child has ended: its exit code, or 128 + the signal that
    /// ended it (as a shell reports it); -1 if it was reaped by someone else (its status is
    /// lost). `nil` while it runs. Never blocks.
    public var terminationStatus: Int32? {
        reaped.withLockedValue { status in
            reapIfEnded(&status)
            return status
        }
    }

    public var isRunning: Bool { terminationStatus == nil }

    /// Blocks until the child has ended, and returns its ``terminationStatus``.
    ///
    /// The wait itself does not reap (`WNOWAIT`) and holds no lock, so ``isRunning`` and
    /// ``signal(_:)`` from other threads go on meanwhile; the reap happens under the lock, once.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        if let status = terminationStatus { return status }
        var info = siginfo_t()
        // Retried only when a signal interrupted the wait; ECHILD means it was reaped meanwhile.
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        return terminationStatus ?? -1
    }

    /// Sends `signal` to the child unless it has been reaped already.
    public func signal(_ signal: Int32) {
        reaped.withLockedValue { status in
            if status == nil { _ = kill(pid, signal) }
        }
    }

    /// Waits for the end of the output (at most `timeout`), then for the exit, and returns both.
    /// A child still writing after `timeout` is killed (SIGKILL) and ``ChildProcessError/timedOut``
    /// thrown with what it wrote.
    public func collect(timeout: Duration) throws -> (output: String, status: Int32) {
        guard waitForEndOfOutput(timeout: timeout) else {
            signal(SIGKILL)
            waitUntilExit()
            throw ChildProcessError.timedOut(pid, timeout, output: output)
        }
        let status = waitUntilExit()
        return (output, status)
    }

    deinit {
        reaped.withLockedValue { reapIfEnded(&$0) }
    }

    /// Reaps the child if it has ended. Called only with the lock held: `WNOHANG` never sleeps.
    private func reapIfEnded(_ status: inout Int32?) {
        guard status == nil else { return }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            let signal = raw & 0x7f
            status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        } else if result < 0, errno == ECHILD {
            status = -1
        }
    }

    /// Every signal back to its default disposition and none blocked in the child.
    private static func resetSignals(_ attributes: inout posix_spawnattr_t, _ executable: String) throws {
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        try check(posix_spawnattr_setsigmask(&attributes, &none), "posix_spawnattr_setsigmask", executable)
        try check(posix_spawnattr_setsigdefault(&attributes, &all), "posix_spawnattr_setsigdefault", executable)
        let flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        try check(posix_spawnattr_setflags(&attributes, flags), "posix_spawnattr_setflags", executable)
    }

    private static func spawn(
        _ executable: String, arguments: [String], environment: [String: String], output: Output, writeEnd: Int32
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        try check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init", executable)
        defer { posix_spawn_file_actions_destroy(&actions) }
        try redirect(&actions, output: output, writeEnd: writeEnd, executable)
        var attributes = posix_spawnattr_t()
        try check(posix_spawnattr_init(&attributes), "posix_spawnattr_init", executable)
        defer { posix_spawnattr_destroy(&attributes) }
        try resetSignals(&attributes, executable)

        let argv = CStringArray([executable] + arguments)
        var pid: pid_t = 0
        let result: Int32
        if environment.isEmpty {
            result = posix_spawnp(&pid, executable, &actions, &attributes, argv.pointers, environ)
        } else {
            let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let envp = CStringArray(merged.map { "\($0.key)=\($0.value)" })
            result = posix_spawnp(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        }
        try check(result, "posix_spawnp", executable)
        return pid
    }

    /// Standard input from /dev/null, output and error per `output`, every other descriptor closed.
    private static func redirect(
        _ actions: inout posix_spawn_file_actions_t, output: Output, writeEnd: Int32, _ executable: String
    ) throws {
        func open(_ fd: Int32, _ flags: Int32) throws {
            try check(posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", flags, 0), "posix_spawn_file_actions_addopen", executable)
        }
        func pipe(_ fd: Int32) throws {
            try check(posix_spawn_file_actions_adddup2(&actions, writeEnd, fd), "posix_spawn_file_actions_adddup2", executable)
        }
        try open(0, O_RDONLY)
        switch output {
        case .discarded:
            try open(1, O_WRONLY)
            try open(2, O_WRONLY)
        case .standardOutput:
            try pipe(1)
            try open(2, O_WRONLY)
        case .combined:
            try pipe(1)
            try pipe(2)
        }
        try check(c_child_process_add_close_from(&actions, 3), "posix_spawn_file_actions_addclosefrom_np", executable)
    }

    /// posix_spawn's calls return the error number instead of setting errno.
    private static func check(_ result: Int32, _ call: String, _ executable: String) throws {
        guard result == 0 else { throw ChildProcessError.failed(call, executable, result) }
    }
}

/// Why a ``ChildProcess`` could not be started or did not finish in time.
public enum ChildProcessError: Error, CustomStringConvertible {
    /// `call` failed with error number `errno` while starting `executable`.
    case failed(String, String, Int32)
    /// The child's output was still open after the timeout; the child was killed.
    case timedOut(pid_t, Duration, output: String)

    public var description: String {
        switch self {
        case .failed(let call, let executable, let number):
            "\(call) for \(executable): \(String(cString: strerror(number)))"
        case .timedOut(let pid, let timeout, let output):
            "child \(pid) still writing after \(timeout), killed; its output so far:\n\(output)"
        }
    }
}

/// A NULL-terminated array of C strings that lives as long as this value.
private final class CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }
}

/// Reads a pipe on its own thread until the end of file, keeping every byte; what arrived so far
/// can be read at any time. The thread closes the descriptor when it is done.
private final class OutputCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var ended = false

    /// `name` names the thread (Linux keeps 15 bytes of it).
    init(reading fd: Int32, name: String) {
        let thread = Thread { [self] in drain(fd) }
        thread.name = name
        thread.start()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }

    var hasEnded: Bool {
        condition.lock()
        defer { condition.unlock() }
        return ended
    }

    func waitForEnd(timeout: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !ended, condition.wait(until: deadline) {}
        return ended
    }

    /// Ends at the end of file or on a read error other than an interruption.
    private func drain(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            condition.lock()
            bytes += chunk[0..<count]
            condition.unlock()
        }
        close(fd)
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }
}
