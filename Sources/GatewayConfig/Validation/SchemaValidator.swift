import GatewayCore

/// Checks the syntax tree against the ``Schema``: every directive known in its context, with the
/// right number and types of arguments, a block exactly when it takes one, and not repeated
/// unless it may be. Collects every problem; never stops at the first.
struct SchemaValidator {
    let schema: Schema
    private(set) var diagnostics: [Diagnostic] = []

    init(schema: Schema = .gateway) {
        self.schema = schema
    }

    static func validate(_ directives: [Directive], schema: Schema = .gateway) -> [Diagnostic] {
        var validator = SchemaValidator(schema: schema)
        validator.validate(directives, in: .main, enclosing: nil)
        return validator.diagnostics
    }

    private mutating func report(_ location: SourceLocation, _ directive: String?, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(at: location, in: directive, message, hint: hint))
    }

    mutating func validate(_ directives: [Directive], in context: ConfigContext, enclosing: String?) {
        var seen: [String: SourceLocation] = [:]
        for directive in directives {
            guard let spec = schema.spec(directive.name, in: context) else {
                reportUnknown(directive, in: context, enclosing: enclosing)
                continue
            }
            if !spec.repeatable, let first = seen[directive.name] {
                report(directive.location, directive.name, "'\(directive.name)' is already set at \(first)", hint: "it may appear only once here")
            }
            seen[directive.name] = seen[directive.name] ?? directive.location
            checkArguments(directive, spec: spec)
            switch (spec.block, directive.block) {
            case (let blockContext?, let block?):
                validate(block, in: blockContext, enclosing: directive.name)
            case (.some, nil) where spec.blockOptional:
                break
            case (.some, nil):
                report(directive.end, directive.name, "'\(directive.name)' needs a block", hint: "usage: \(spec.usage)")
            case (nil, .some):
                report(directive.end, directive.name, "'\(directive.name)' does not take a block", hint: "usage: \(spec.usage)")
            case (nil, nil):
                break
            }
        }
    }

    private mutating func reportUnknown(_ directive: Directive, in context: ConfigContext, enclosing: String?) {
        let elsewhere = schema.contexts(of: directive.name)
        if !elsewhere.isEmpty {
            let places = elsewhere.map(\.place).joined(separator: " or ")
            report(
                directive.location, enclosing, "'\(directive.name)' is not allowed \(context.place)",
                hint: "it belongs \(places)")
            return
        }
        let names = schema.names(in: context)
        report(
            directive.location, enclosing, "unknown directive '\(directive.name)'",
            hint: Suggestion.hint(for: directive.name, among: names + ["include"]))
    }

    private mutating func checkArguments(_ directive: Directive, spec: DirectiveSpec) {
        let count = directive.arguments.count
        if count < spec.minimumArguments {
            let needed = spec.minimumArguments == 1 ? "an argument" : "\(spec.minimumArguments) arguments"
            let tail = count == 0 ? "" : ", got \(count)"
            report(directive.end, directive.name, "'\(directive.name)' needs \(needed)\(tail)", hint: "usage: \(spec.usage)")
        }
        if let maximum = spec.maximumArguments, count > maximum {
            let allowed = maximum == 0 ? "no arguments" : maximum == 1 ? "one argument" : "at most \(maximum) arguments"
            report(
                directive.arguments[maximum].location, directive.name, "'\(directive.name)' takes \(allowed), got \(count)",
                hint: "usage: \(spec.usage)")
        }
        for (index, argument) in directive.arguments.enumerated() {
            guard let kind = spec.kind(at: index), let error = kind.check(argument.text) else { continue }
            report(argument.location, directive.name, error.message, hint: error.hint)
        }
    }
}
