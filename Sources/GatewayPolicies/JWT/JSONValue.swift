/// A JSON value as the JOSE parser reads it: objects keep no duplicate member names (a token
/// with a duplicated claim is refused rather than read either way, RFC 7515 §5.2).
public enum JSONValue: Sendable, Hashable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var number: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A scalar (or an array of scalars, comma-joined) as header-safe text: numbers without a
    /// fraction print as integers. `nil` for objects, `null` and text with control characters.
    public var headerText: String? {
        switch self {
        case .string(let s): return s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) ? s : nil
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "true" : "false"
        case .array(let items):
            let texts = items.compactMap { item -> String? in
                if case .array = item { return nil }
                return item.headerText
            }
            return texts.count == items.count ? texts.joined(separator: ",") : nil
        case .object, .null: return nil
        }
    }
}
