/// Runs a command (a path, or a name found on `PATH`) with no standard input and returns what it
/// printed (standard output and error together) and its exit status.
public enum Subprocess {
    /// `environment` is set on top of the test process's environment. A command still writing
    /// after `timeout` is killed and ``ChildProcessError/timedOut`` thrown: a hung tool fails its
    /// test instead of the whole run.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)
    ) throws -> (output: String, status: Int32) {
        let command = arguments.first ?? ""
        let child = try ChildProcess(command, arguments: Array(arguments.dropFirst()), environment: environment, output: .combined)
        return try child.collect(timeout: timeout)
    }
}
