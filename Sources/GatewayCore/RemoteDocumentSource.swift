import NIOCore

/// A document a policy needs from the network (a JWKS), fetched and refreshed by the server off
/// the event loops; the policy reads the last good copy without waiting.
///
/// The port between a pure policy and the IO that feeds it: the policy side parses and keeps the
/// document, the server side only moves bytes and keeps time.
public protocol RemoteDocumentSource: AnyObject, Sendable {
    /// `http://` or `https://` URL of the document.
    var url: String { get }
    /// PEM bundle of the CAs an `https://` URL's certificate must lead to; `nil` for the system
    /// trust store.
    var caFile: String? { get }
    /// How often the document is fetched while all is well.
    var refreshInterval: TimeAmount { get }
    /// Parses and installs a fetched document; throws when it is unusable, in which case the
    /// previous copy stays in use.
    func install(_ document: ByteBuffer) throws
    /// Records a failed fetch; the previous copy stays in use.
    func fetchFailed(_ reason: String)
    /// Connects early refresh requests (e.g. a token with an unknown key id) to the fetcher.
    /// Called once by the server before it starts serving the plan.
    func onRefreshRequested(_ handler: @escaping @Sendable () -> Void)
}
