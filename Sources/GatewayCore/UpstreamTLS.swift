/// TLS from the gateway to the servers of one upstream group.
///
/// Verification is on unless switched off: the server's chain must lead to `caFile` (or the
/// system trust store) and name `serverName` (or the server's host when it is a name).
public struct UpstreamTLS: Sendable, Hashable {
    public var verify: Bool
    /// PEM bundle of trusted CAs; `nil` uses the system trust store.
    public var caFile: String?
    /// SNI and the name verified; `nil` uses each server's host when it is not an IP address.
    public var serverName: String?
    /// A client certificate chain and key, PEM files, for upstreams that require mTLS.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?

    public init(
        verify: Bool = true,
        caFile: String? = nil,
        serverName: String? = nil,
        clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil
    ) {
        self.verify = verify
        self.caFile = caFile
        self.serverName = serverName
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }
}
