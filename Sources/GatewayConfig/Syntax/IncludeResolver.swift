import GatewayCore

/// Reads the main file and splices every `include PATH;` in place, at top level or in a block.
///
/// Paths are relative to the including file's directory. A file that includes itself, directly or
/// through others, is an error at the `include` that closes the cycle. Files are read through the
/// injected closure only.
struct IncludeResolver {
    static let maximumDepth = 16

    let environment: [String: String]
    let readFile: @Sendable (String) throws -> String
    /// Every file read, the main file first, in the order they were read.
    private(set) var files: [String] = []
    private(set) var diagnostics: [Diagnostic] = []

    init(environment: [String: String], readFile: @escaping @Sendable (String) throws -> String) {
        self.environment = environment
        self.readFile = readFile
    }

    mutating func load(mainFile path: String) -> [Directive] {
        load(path, includedBy: nil, stack: [])
    }

    private mutating func load(_ path: String, includedBy include: Directive?, stack: [String]) -> [Directive] {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            diagnostics.append(
                Diagnostic(at: include?.arguments.first?.location, in: include?.name, "cannot read '\(path)': \(error)"))
            return []
        }
        if !files.contains(path) { files.append(path) }
        do {
            let (directives, problems) = try Parser.parse(text, file: path, environment: environment)
            diagnostics += problems
            return splice(directives, file: path, stack: stack + [path])
        } catch {
            diagnostics.append(error)
            return []
        }
    }

    private mutating func splice(_ directives: [Directive], file: String, stack: [String]) -> [Directive] {
        var out: [Directive] = []
        for var directive in directives {
            if directive.name == "include" {
                out += include(directive, from: file, stack: stack)
                continue
            }
            if let block = directive.block {
                directive.block = splice(block, file: file, stack: stack)
            }
            out.append(directive)
        }
        return out
    }

    private mutating func include(_ directive: Directive, from file: String, stack: [String]) -> [Directive] {
        guard directive.arguments.count == 1, directive.block == nil, !directive.arguments[0].text.isEmpty else {
            diagnostics.append(
                Diagnostic(
                    at: directive.location, in: "include", "'include' takes one file path and no block",
                    hint: "usage: include PATH;"))
            return []
        }
        let path = SourcePath.resolve(directive.arguments[0].text, relativeTo: SourcePath.directory(of: file))
        if let start = stack.firstIndex(of: path) {
            let cycle = (stack[start...] + [path]).joined(separator: " -> ")
            diagnostics.append(
                Diagnostic(at: directive.arguments[0].location, in: "include", "include cycle: \(cycle)"))
            return []
        }
        guard stack.count < Self.maximumDepth else {
            diagnostics.append(
                Diagnostic(
                    at: directive.arguments[0].location, in: "include",
                    "includes nested deeper than \(Self.maximumDepth) files"))
            return []
        }
        return load(path, includedBy: directive, stack: stack)
    }
}
