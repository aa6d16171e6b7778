/// A string with `{path}`, `{query}`, `{uri}` and `{host}` placeholders, split once at compile
/// time so rendering is a concatenation.
public struct PathTemplate: Sendable, Hashable, CustomStringConvertible {
    public enum Piece: Sendable, Hashable {
        case literal(String)
        case path
        case query
        case uri
        case host
    }

    public static let placeholders = ["path", "query", "uri", "host"]

    public let pieces: [Piece]
    public let description: String

    /// Parses `text`; returns `nil` with the offending placeholder when one is unknown.
    public init(parsing text: String) throws(PathTemplateError) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[rest.startIndex..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw PathTemplateError.unterminated
            }
            let name = rest[rest.index(after: open)..<close]
            let piece: Piece
            switch name {
            case "path": piece = .path
            case "query": piece = .query
            case "uri": piece = .uri
            case "host": piece = .host
            default: throw PathTemplateError.unknownPlaceholder(String(name))
            }
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
            pieces.append(piece)
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
        self.description = text
    }

    public func render(path: String, query: String?, host: String?) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .path: out += path
            case .query: out += query ?? ""
            case .uri:
                out += path
                if let query { out += "?" + query }
            case .host: out += host ?? ""
            }
        }
        return out
    }
}

public enum PathTemplateError: Error, Sendable, Hashable {
    case unterminated
    case unknownPlaceholder(String)
}
