import GatewayCore

/// One statement of the located syntax tree: `name arg…;` or `name arg… { … }`.
///
/// Includes are already spliced in and `${…}` references expanded, so later stages see one tree
/// whose every node still points at the file, line and column it came from.
public struct Directive: Sendable, Hashable {
    public var name: String
    public var arguments: [Argument]
    /// The directives inside `{ … }`; `nil` when the directive ends with `;`.
    public var block: [Directive]?
    /// Where the name starts.
    public var location: SourceLocation
    /// Just past the last token before `;` or `{`.
    public var end: SourceLocation

    public init(
        name: String,
        arguments: [Argument] = [],
        block: [Directive]? = nil,
        location: SourceLocation,
        end: SourceLocation? = nil
    ) {
        self.name = name
        self.arguments = arguments
        self.block = block
        self.location = location
        self.end = end ?? arguments.last?.end ?? location
    }
}

/// One argument of a directive, after escape decoding and `${…}` expansion.
public struct Argument: Sendable, Hashable {
    public var text: String
    public var location: SourceLocation
    /// Quoted arguments are never taken for a directive name when looking for a missing `;`.
    public var wasQuoted: Bool
    /// Just past the last character as written.
    public var end: SourceLocation

    public init(text: String, location: SourceLocation, wasQuoted: Bool = false, end: SourceLocation? = nil) {
        self.text = text
        self.location = location
        self.wasQuoted = wasQuoted
        self.end = end ?? SourceLocation(file: location.file, line: location.line, column: location.column + text.unicodeScalars.count)
    }
}
