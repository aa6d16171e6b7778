/// How an upstream group spreads requests over its servers (`balance …;`).
public enum BalanceAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// nginx's smooth weighted round-robin.
    case roundRobin
    /// Fewest in-flight requests on this loop, relative to weight.
    case leastConnections
    /// Power of two choices: two servers drawn at random (by weight), the one with fewer
    /// in-flight requests relative to its weight wins. Close to least-connections without its
    /// herd behaviour when many loops see the same counts.
    case powerOfTwoChoices
    /// Consistent hashing of a request key on a ring of virtual nodes: a server leaving moves only
    /// the keys it owned. Requests without the key fall back to round-robin.
    case hash(BalanceHashKey)

    /// The names of the `balance` directive's first argument.
    public static let names = ["round_robin", "least_conn", "p2c", "hash"]

    /// As written in the configuration: `round_robin`, `hash header:X-User`.
    public var description: String {
        switch self {
        case .roundRobin: return "round_robin"
        case .leastConnections: return "least_conn"
        case .powerOfTwoChoices: return "p2c"
        case .hash(let key): return "hash \(key)"
        }
    }
}
