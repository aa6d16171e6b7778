import ArgumentParser
import GatewayConfig
import GatewayCore
import GatewayServer

extension Check {
    /// `check --diff-running`: the file must be valid; then the running gateway's plan outline is
    /// fetched from its admin listener and the changes a reload would make are printed, headed by
    /// the running generation.
    func runDiffRunning() async throws {
        let result = options.load()
        if !result.diagnostics.isEmpty { printError(result.report) }
        guard let plan = result.plan else {
            printError("\(options.config): configuration is invalid")
            throw ExitCode(1)
        }
        var target: AdminSpec
        if let admin, let listener = AdminAddress.parse(admin) {
            target = AdminSpec(listener: listener, token: plan.settings.admin?.token)
        } else if let fileAdmin = plan.settings.admin {
            target = fileAdmin
        } else {
            printError("\(options.config) has no 'admin' listener to ask; name the running gateway's with --admin HOST:PORT")
            throw ExitCode(1)
        }
        if let token = currentEnvironment()["GATEWAY_ADMIN_TOKEN"], !token.isEmpty { target.token = token }
        let address = target.listener.displayAddress
        let response = try await askAdmin(target, AdminClient.runningPlan)
        guard response.status == 200 else {
            printError("the admin listener at \(address) answered \(response.status): \(response.body)")
            throw ExitCode(1)
        }
        let running = try RunningPlanOutline(json: response.body)
        print("running: generation \(running.generation) at admin \(address); new: \(options.config)")
        print(PlanDiff.render(from: running.plan, to: PlanOutline(plan)), terminator: "")
    }
}

/// `--admin HOST:PORT`: an IPv4 address or name, or a bracketed IPv6 address, and a port.
enum AdminAddress {
    static func parse(_ text: String) -> ListenerSpec? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, host.hasPrefix("[") == host.hasSuffix("]"), host.hasPrefix("[") || !host.contains(":") else { return nil }
        return ListenerSpec(host: host, port: port)
    }
}
