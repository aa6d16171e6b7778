import Foundation
import GatewayTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tests' own child processes (posix_spawn): what the child gets (descriptors, environment,
/// signals), how its output is collected, and that its exit is reaped once and reported as a
/// shell does.
@Suite("Child process") struct ChildProcessTests {
    @Test func exitCodesAndSignalsAreReportedAsAShellDoes() throws {
        #expect(try Subprocess.run(["sh", "-c", "exit 3"]).status == 3)
        #expect(try Subprocess.run(["/bin/sh", "-c", "kill -TERM $$"]).status == 128 + SIGTERM)
        #expect(try Subprocess.run(["true"]).status == 0)
    }

    @Test func outputIsCollectedAsAskedAndStandardInputIsEmpty() throws {
        let script = "echo out; echo err >&2; cat"
        #expect(try Subprocess.run(["sh", "-c", script]).output == "out\nerr\n")
        let stdoutOnly = try ChildProcess("sh", arguments: ["-c", script], output: .standardOutput)
        let collected = try stdoutOnly.collect(timeout: .seconds(30))
        #expect(collected.output == "out\n" && collected.status == 0)
        let discarded = try ChildProcess("sh", arguments: ["-c", script], output: .discarded)
        #expect(discarded.outputEnded)
        #expect(discarded.waitUntilExit() == 0)
        #expect(discarded.output == "")
    }

    @Test func theEnvironmentIsAddedToThisProcesss() throws {
        let (output, status) = try Subprocess.run(["sh", "-c", #"echo "$CHILD_PROCESS_TEST:$HOME""#], environment: ["CHILD_PROCESS_TEST": "set"])
        #expect(status == 0)
        #expect(output == "set:\(ProcessInfo.processInfo.environment["HOME"] ?? "")\n")
    }

    /// A descriptor of the test process without close-on-exec does not reach the child.
    @Test func noDescriptorButTheStandardOnesIsInherited() throws {
        let opened = open("/dev/null", O_RDONLY)
        try #require(opened >= 0)
        // A number no interpreter reaches while starting up.
        let inheritable = dup2(opened, 900)
        close(opened)
        try #require(inheritable == 900)
        defer { close(inheritable) }
        #expect(fcntl(inheritable, F_GETFD) & FD_CLOEXEC == 0)
        let probe = "import os\ntry:\n    os.fstat(900)\n    print('open')\nexcept OSError:\n    print('closed')\n"
        #expect(try Subprocess.run(["python3", "-c", probe]).output == "closed\n")
    }

    /// Whatever the test process ignores or blocks, the child starts with the defaults.
    @Test func signalsStartAtTheirDefaults() throws {
        // Network test processes ignore SIGPIPE anyway; set here so the check cannot pass by luck.
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        let (output, status) = try Subprocess.run(["grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"])
        #expect(status == 0)
        let masks = output.split(separator: "\n").map { $0.split(separator: "\t").last.flatMap { UInt64($0, radix: 16) } }
        try #require(masks.count == 2, "\(output)")
        #expect(masks[0] == 0, "blocked: \(output)")
        // Bit n-1 is signal n. glibc's spawn leaves its two internal signals (32, 33) ignored in
        // the child, out of reach of the attributes; a new program's libc takes them back.
        #expect(masks[1].map { $0 & ~0x1_8000_0000 } == 0, "ignored: \(output)")
    }

    @Test func aRunningChildIsSignalledWaitedForFromAnotherThreadAndReapedOnce() throws {
        let child = try ChildProcess("sh", arguments: ["-c", "echo ready; exec sleep 60"], output: .combined)
        // Bounded: 600 × 50 ms.
        for _ in 0..<600 where child.output != "ready\n" { usleep(50_000) }
        #expect(child.output == "ready\n")
        #expect(child.isRunning)
        #expect(child.terminationStatus == nil)

        let exited = Handoff()
        let waiter = Thread { exited.set(String(child.waitUntilExit())) }
        waiter.start()
        // The blocked waiter does not reap: the child still runs and can be signalled.
        #expect(child.isRunning)
        child.signal(SIGKILL)
        #expect(exited.wait() == String(128 + SIGKILL))
        #expect(!child.isRunning)
        #expect(child.terminationStatus == 128 + SIGKILL)
        // Reaped: a later signal is not sent, a later wait returns the kept status.
        child.signal(SIGTERM)
        #expect(child.waitUntilExit() == 128 + SIGKILL)
        #expect(child.waitForEndOfOutput(timeout: .seconds(30)))
        #expect(child.output == "ready\n")
    }

    @Test func aChildStillWritingAfterTheTimeoutIsKilled() throws {
        let error = #expect(throws: ChildProcessError.self) {
            try Subprocess.run(["sh", "-c", "echo started; exec sleep 60"], timeout: .seconds(5))
        }
        guard case .timedOut(_, let timeout, let output) = error else {
            Issue.record("not a timeout: \(String(describing: error))")
            return
        }
        #expect(timeout == .seconds(5))
        #expect(output == "started\n")
    }

    @Test func aMissingExecutableThrowsWithItsReason() {
        let error = #expect(throws: ChildProcessError.self) {
            try ChildProcess("/nonexistent/gateway-test-binary", arguments: [], output: .combined)
        }
        #expect(error.map { "\($0)" } == "posix_spawnp for /nonexistent/gateway-test-binary: No such file or directory")
        #expect(throws: ChildProcessError.self) { try Subprocess.run(["no-such-command-on-path"]) }
    }

    /// Launches from many threads at once, no lock: each gets its own output, complete.
    @Test func concurrentLaunchesEachGetTheirOwnOutput() {
        let outputs = Mutex<[Int: String]>([:])
        DispatchQueue.concurrentPerform(iterations: 48) { index in
            let output = (try? Subprocess.run(["sh", "-c", "echo \(index); echo \(index) >&2"]).output) ?? "failed"
            outputs.withLock { $0[index] = output }
        }
        let collected = outputs.withLock { $0 }
        for index in 0..<48 {
            #expect(collected[index] == "\(index)\n\(index)\n")
        }
    }
}
