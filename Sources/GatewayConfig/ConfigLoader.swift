import GatewayCore

/// Loads `gateway.conf` into a ``GatewayPlan``: read (with includes), parse, expand `${…}`,
/// check against the schema, compile.
///
/// Pure: the file system, the environment and the checks of TLS files come in through the
/// initialiser, so the server can call it off the event loops on reload and tests can feed it text.
public struct ConfigLoader: Sendable {
    public let environment: [String: String]
    public let readFile: @Sendable (String) throws -> String
    /// Checks certificate, key and CA files; by default only their text (``PEMFileChecker``).
    public let tlsFileChecker: any TLSFileChecker

    public init(
        environment: [String: String],
        readFile: @escaping @Sendable (String) throws -> String,
        tlsFileChecker: (any TLSFileChecker)? = nil
    ) {
        self.environment = environment
        self.readFile = readFile
        self.tlsFileChecker = tlsFileChecker ?? PEMFileChecker(readFile: readFile)
    }

    /// Loads the configuration at `path`. Syntax errors (including unreadable files, include
    /// cycles and undefined variables) stop before validation, since the tree would be wrong;
    /// otherwise every schema and compile problem is reported in one go, sorted by place.
    ///
    /// - Parameter previous: the plan running now (a reload): each of its response caches whose
    ///   `cache NAME { … }` block is unchanged is taken over with its entries.
    public func load(path: String, reusing previous: GatewayPlan? = nil) -> ConfigLoadResult {
        var resolver = IncludeResolver(environment: environment, readFile: readFile)
        let parsed = resolver.load(mainFile: path)
        if !resolver.diagnostics.isEmpty {
            return .failure(Diagnostic.sorted(resolver.diagnostics, fileOrder: resolver.files))
        }
        let (directives, repairs) = MissingSemicolonRepair.repair(parsed)
        let schemaProblems = SchemaValidator.validate(directives)
        let (plan, compileProblems) = PlanCompiler.compile(
            directives, mainFile: path, sourceFiles: resolver.files, readFile: readFile, tlsFileChecker: tlsFileChecker,
            reusableCaches: PlanCompiler.reusableCaches(of: previous))
        let all = Diagnostic.sorted(repairs + schemaProblems + compileProblems, fileOrder: resolver.files)
        guard let plan, !all.contains(where: \.isError) else { return .failure(all) }
        return .success(plan, warnings: all)
    }
}

/// The outcome of ``ConfigLoader/load(path:)``.
public enum ConfigLoadResult: Sendable {
    /// A usable plan; warnings (never errors) are worth showing.
    case success(GatewayPlan, warnings: [Diagnostic])
    /// At least one error; all diagnostics, errors and warnings, sorted by place.
    case failure([Diagnostic])

    public var plan: GatewayPlan? {
        if case .success(let plan, _) = self { return plan }
        return nil
    }

    /// Every diagnostic, in the order to show them.
    public var diagnostics: [Diagnostic] {
        switch self {
        case .success(_, let warnings): warnings
        case .failure(let diagnostics): diagnostics
        }
    }

    /// The diagnostics one per line, as `gateway check` prints them.
    public var report: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
