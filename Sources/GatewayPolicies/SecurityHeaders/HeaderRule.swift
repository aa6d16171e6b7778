/// What a `security_headers` block does with one response header.
public struct HeaderRule: Sendable, Hashable, CustomStringConvertible {
    public enum Mode: String, Sendable, Hashable {
        /// Replace any value, the upstream's included: the gateway's value wins.
        case set
        /// Add only when the response has none: the upstream's value wins.
        case `default`
        /// Add another field beside any that is there.
        case append
        /// Remove the header (configured others besides `X-Powered-By` and `Server`, or an
        /// inherited default a route does not want).
        case remove
    }

    /// The name as configured (case is kept for the wire; matching ignores it).
    public var name: String
    public var mode: Mode
    /// One field per value; empty for `remove`.
    public var values: [String]

    public init(name: String, mode: Mode, values: [String] = []) {
        self.name = name
        self.mode = mode
        self.values = values
    }

    public var description: String {
        switch mode {
        case .remove: "remove \(name)"
        default: "\(mode.rawValue) \(name): " + values.joined(separator: " | ")
        }
    }
}
