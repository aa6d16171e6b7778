/// TLS termination on one listener: the certificates offered (chosen by SNI), optional client
/// certificate verification, and the `Strict-Transport-Security` policy of its responses.
///
/// Paths are resolved against the directory of the configuration file that names them; the files
/// are read off the event loops when contexts are built and whenever they change.
public struct ListenerTLS: Sendable, Hashable {
    /// In configuration order; the first is the default for clients that send no matching SNI.
    public var certificates: [TLSCertificateSpec]
    /// PEM file of CAs that sign acceptable client certificates; `nil` disables mTLS.
    public var clientCAFile: String?
    /// `Strict-Transport-Security` sent on every response of this listener; `nil` sends none.
    public var hsts: HSTSPolicy?

    public init(certificates: [TLSCertificateSpec], clientCAFile: String? = nil, hsts: HSTSPolicy? = HSTSPolicy()) {
        self.certificates = certificates
        self.clientCAFile = clientCAFile
        self.hsts = hsts
    }
}
