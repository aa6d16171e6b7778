import GatewayCore

/// Finds forgotten `;` and splits the directives they glued together.
///
/// `listen 8080` on one line and `route /x {` on the next parse as one directive `listen` with
/// arguments `8080 route /x` and a block. When an unquoted argument that starts a new line is a
/// directive name of the context and the directive does not fit its schema (too many arguments,
/// or a block where none belongs), the `;` before it was forgotten. This pass reports that at the
/// place the `;` belongs and splits the directive in two, so validation and compilation see what
/// was meant instead of reporting the consequences.
enum MissingSemicolonRepair {
    static func repair(_ directives: [Directive], schema: Schema = .gateway) -> (directives: [Directive], diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let repaired = repair(directives, in: .main, schema: schema, diagnostics: &diagnostics)
        return (repaired, diagnostics)
    }

    private static func repair(
        _ directives: [Directive],
        in context: ConfigContext,
        schema: Schema,
        diagnostics: inout [Diagnostic]
    ) -> [Directive] {
        var out: [Directive] = []
        var queue = directives[...]
        while var directive = queue.popFirst() {
            guard let spec = schema.spec(directive.name, in: context) else {
                out.append(directive)
                continue
            }
            if let (head, tail) = split(directive, spec: spec, in: context, schema: schema) {
                diagnostics.append(
                    Diagnostic(
                        at: head.end, in: head.name, "missing ';' at the end of '\(head.name)'",
                        hint: "'\(tail.name)' on the next line starts a new directive"))
                out.append(head)
                queue.insert(tail, at: queue.startIndex)
                continue
            }
            if let blockContext = spec.block, let block = directive.block {
                directive.block = repair(block, in: blockContext, schema: schema, diagnostics: &diagnostics)
            }
            out.append(directive)
        }
        return out
    }

    private static func split(
        _ directive: Directive,
        spec: DirectiveSpec,
        in context: ConfigContext,
        schema: Schema
    ) -> (Directive, Directive)? {
        let tooMany = spec.maximumArguments.map { directive.arguments.count > $0 } ?? false
        let blockMismatch = (spec.block == nil) != (directive.block == nil)
        guard tooMany || blockMismatch else { return nil }
        var previousEnd = directive.location
        previousEnd.column += directive.name.unicodeScalars.count
        for (index, argument) in directive.arguments.enumerated() {
            if !argument.wasQuoted, argument.location.line > previousEnd.line, schema.spec(argument.text, in: context) != nil {
                let head = Directive(
                    name: directive.name, arguments: Array(directive.arguments[..<index]), block: nil,
                    location: directive.location, end: previousEnd)
                let tail = Directive(
                    name: argument.text, arguments: Array(directive.arguments[(index + 1)...]), block: directive.block,
                    location: argument.location, end: directive.end)
                return (head, tail)
            }
            previousEnd = argument.end
        }
        return nil
    }
}
