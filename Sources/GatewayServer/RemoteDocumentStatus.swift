/// What the fetches of one remote document (by URL) have done since the process started: for
/// `/readyz` and the `gateway_jwks_*` series. Kept across reloads, so counters never go down.
struct RemoteDocumentStatus: Sendable, Equatable {
    var succeeded = 0
    var failed = 0
    /// Whether the latest fetch installed a usable document.
    var lastFetchSucceeded = false
    /// When a fetch last installed a usable document (Unix milliseconds).
    var lastSuccessMillis: Int64?
    /// Why the latest failed fetch failed.
    var lastError: String?
}
