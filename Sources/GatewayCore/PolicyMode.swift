/// Whether a policy refuses requests, or only reports what it would have refused
/// (`mode enforce | shadow;`): the way to try a new policy on real traffic before it bites.
public enum PolicyMode: String, Sendable, Hashable {
    case enforce
    /// Evaluate, record the would-be refusal (access log, log, metrics), and let the request on.
    case shadow
}
