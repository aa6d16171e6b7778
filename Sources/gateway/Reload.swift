import ArgumentParser
import GatewayCore
import GatewayServer

/// `gateway reload`: asks the running gateway to read its configuration again, through the admin
/// listener named in the file, and prints what happened (the new generation, or every error
/// with `file:line:col` while the old configuration keeps serving).
struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the running gateway reload its configuration (through its admin listener).",
        discussion: """
            The file is checked here first: an invalid file is not sent (the running gateway would
            refuse it) and its errors are printed. A valid file must have an `admin` listener, which
            is where the reload is asked for (with its token). Without one, send SIGHUP to the
            gateway process instead: kill -HUP PID.
            """
    )
    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await options.askAdmin(
            what: "reloaded", without: "send SIGHUP to the gateway process instead (kill -HUP PID)", AdminClient.reload)
    }
}

extension ConfigOption {
    /// Loads the file, finds its admin listener and sends it `request`, printing the answer;
    /// exits 1 when the file is invalid, has no admin listener, or the answer is not 200.
    func askAdmin(what: String, without hint: String, _ request: (AdminSpec) async throws -> AdminClient.Response) async throws {
        let result = load()
        guard let plan = result.plan else {
            printError(result.report)
            printError("\(config): configuration is invalid; nothing was \(what)")
            throw ExitCode(1)
        }
        guard let admin = plan.settings.admin else {
            printError("\(config) has no 'admin' listener to ask; \(hint)")
            throw ExitCode(1)
        }
        let response = try await gateway.askAdmin(admin, request)
        print(response.body, terminator: response.body.hasSuffix("\n") ? "" : "\n")
        guard response.status == 200 else { throw ExitCode(1) }
    }
}

/// One request to a running gateway's admin listener; a listener that cannot be reached ends the
/// command with exit status 1 and says why.
func askAdmin(_ admin: AdminSpec, _ request: (AdminSpec) async throws -> AdminClient.Response) async throws -> AdminClient.Response {
    do {
        return try await request(admin)
    } catch {
        printError("cannot reach the admin listener at \(admin.listener.displayAddress): \(error)")
        throw ExitCode(1)
    }
}
