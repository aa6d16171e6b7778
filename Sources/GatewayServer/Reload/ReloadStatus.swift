/// How the configuration of the running gateway came to be: its generation (1 for the plan it
/// started with, one more for each successful reload) and the reloads tried so far.
public struct ReloadStatus: Sendable, Equatable {
    public var generation = 1
    public var succeeded = 0
    public var failed = 0
    /// The report of the last refused reload, until one succeeds.
    public var lastError: String?

    public init() {}
}
