import ArgumentParser
import GatewayConfig
import GatewayCore
import GatewayServer
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "A reverse-proxy API gateway configured by one file, gateway.conf.",
        discussion: """
            gateway run     serves the configuration until SIGTERM/SIGINT, then drains in-flight
                            requests for up to drain_timeout before exiting. SIGHUP reloads it.
            gateway check   validates a configuration like `nginx -t`: exit 0 with a one-line
                            summary, or exit 1 listing every error as file:line:col.
                            --diff-running shows what reloading the running gateway
                            with the file would change.
            gateway explain shows which route a request matches and what would happen to it.
            gateway reload  asks the running gateway (through its admin listener) to reload.
            gateway cache purge URL | --prefix P
                            removes stored responses from the running gateway's caches.
            """,
        subcommands: [Run.self, Check.self, Explain.self, Reload.self, CacheCommand.self],
        defaultSubcommand: Run.self
    )
}

struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "Path of the configuration file.")
    var config: String = "gateway.conf"

    var source: ConfigSource {
        ConfigSource(
            path: config,
            loader: ConfigLoader(environment: currentEnvironment(), readFile: LocalFile.readText, tlsFileChecker: NIOSSLFileChecker()))
    }

    func load() -> ConfigLoadResult { source.load() }
}

func currentEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let eq = text.firstIndex(of: "=") {
            result[String(text[..<eq])] = String(text[text.index(after: eq)...])
        }
        pointer += 1
    }
    return result
}

func printError(_ text: String) {
    var line = text.hasSuffix("\n") ? text : text + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a configuration file and report every error.")
    @OptionGroup var options: ConfigOption
    @Flag(help: "Print the compiled plan.") var dump = false
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Show what a reload from the first file to the second would change, route by route.", valueName: "OLD.conf NEW.conf"))
    var diff: [String] = []
    @Flag(
        help: ArgumentHelp(
            "Show what reloading the running gateway with the --config file would change: its plan is asked from its admin listener.",
            discussion: "The admin listener and token are those of the file, unless --admin names another; GATEWAY_ADMIN_TOKEN overrides the token."))
    var diffRunning = false
    @Option(help: ArgumentHelp("The running gateway's admin listener, for --diff-running.", valueName: "HOST:PORT"))
    var admin: String?

    func validate() throws {
        guard diff.isEmpty || diff.count == 2 else { throw ValidationError("--diff takes two files: OLD.conf NEW.conf") }
        if diffRunning, !diff.isEmpty { throw ValidationError("--diff-running compares the --config file with the running gateway; use it without --diff") }
        if admin != nil, !diffRunning { throw ValidationError("--admin names the running gateway for --diff-running") }
        if let admin, AdminAddress.parse(admin) == nil { throw ValidationError("--admin wants HOST:PORT (e.g. 127.0.0.1:9901 or [::1]:9901), not '\(admin)'") }
    }

    func run() async throws {
        if diff.count == 2 {
            try runDiff(old: diff[0], new: diff[1])
            return
        }
        if diffRunning {
            try await runDiffRunning()
            return
        }
        let result = options.load()
        if !result.diagnostics.isEmpty { printError(result.report) }
        guard let plan = result.plan else {
            printError("\(options.config): configuration is invalid")
            throw ExitCode(1)
        }
        if dump { print(PlanDump.render(plan), terminator: "") }
        print(
            "\(options.config): configuration is valid: \(plan.listeners.count) listener(s), "
                + "\(plan.upstreams.count) upstream(s), \(plan.routes.routes.count) route(s)"
        )
    }
}

extension Check {
    /// Both files must be valid (their errors are listed otherwise); then the changes are printed.
    func runDiff(old: String, new: String) throws {
        var plans: [GatewayPlan] = []
        for path in [old, new] {
            let result = options.source.loader.load(path: path)
            if !result.diagnostics.isEmpty { printError(result.report) }
            guard let plan = result.plan else {
                printError("\(path): configuration is invalid")
                throw ExitCode(1)
            }
            plans.append(plan)
        }
        print(PlanDiff.render(from: plans[0], to: plans[1]), terminator: "")
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show which route and upstream a request would use.")
    @OptionGroup var options: ConfigOption
    @ArgumentParser.Argument(help: "Request method, e.g. GET.") var method: String
    @ArgumentParser.Argument(help: "Absolute URL (http://host/path?q) or a path with -H 'Host: …'.") var url: String
    @Option(name: [.customShort("H"), .long], help: "A request header 'Name: value' (repeatable).") var header: [String] = []
    @Option(help: "The client address rate limits key on, e.g. 203.0.113.7.") var client: String?

    func run() throws {
        let result = options.load()
        guard let plan = result.plan else {
            printError(result.report)
            throw ExitCode(1)
        }
        var headers: [(String, String)] = []
        for h in header {
            guard let colon = h.firstIndex(of: ":") else { throw ValidationError("header must be 'Name: value': \(h)") }
            headers.append((String(h[..<colon]), String(h[h.index(after: colon)...].drop(while: { $0 == " " }))))
        }
        var address: IPAddress? = nil
        if let client {
            guard let parsed = IPAddress(client) else { throw ValidationError("--client must be an IP address: \(client)") }
            address = parsed
        }
        print(Explainer.explain(plan: plan, method: method, url: url, headers: headers, client: address), terminator: "")
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the configuration until SIGTERM or SIGINT.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        Self.tuneAllocator()
        let result = options.load()
        guard let plan = result.plan else {
            printError(result.report)
            throw ExitCode(1)
        }
        let (levels, writer) = Self.bootstrapLogging(plan.settings.logging)
        defer { writer.flush() }
        let logger = Logger(label: LogSubsystem.gateway.label)
        for warning in result.diagnostics { logger.warning("\(warning)") }
        let server: GatewayServer
        do {
            server = try await GatewayServer(plan: plan, logger: logger, source: options.source, logLevels: levels)
        } catch {
            printError("gateway: \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(
            services: [GatewayService(server: server), await ReloadSignalService(server: server)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await group.run()
    }

    /// Sends every swift-log logger of the process to stderr through one ``GatewayLogHandler``
    /// writer, in the configured format, with the levels a reload may change later.
    static func bootstrapLogging(_ settings: LogSettings) -> (LogLevels, LogWriter) {
        let levels = LogLevels(settings)
        let format = settings.format
        let writer = LogWriter.standardError(format: format)
        LoggingSystem.bootstrap { label in
            GatewayLogHandler(label: label, format: format, levels: levels, writer: writer)
        }
        return (levels, writer)
    }

    /// Keeps freed memory in the event-loop threads' malloc arenas instead of returning the top
    /// of the heap to the kernel after each burst: without it, glibc grows and shrinks the arena
    /// with an mprotect call every few requests.
    static func tuneAllocator() {
        #if canImport(Glibc)
        // mallopt(3) is not exported by the Glibc module; its parameters are fixed glibc ABI.
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let trimThreshold: Int32 = -1, topPad: Int32 = -2
        _ = mallopt(topPad, 16 << 20)
        _ = mallopt(trimThreshold, 64 << 20)
        #endif
    }
}
