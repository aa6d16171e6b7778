/// One certificate chain and its private key, both PEM files.
///
/// `names` are the server names it answers for (exact, or `*.example.com` for one label); empty
/// means the DNS names of the certificate's subjectAltName extension.
public struct TLSCertificateSpec: Sendable, Hashable {
    public var certificateFile: String
    public var keyFile: String
    public var names: [HostPattern]
    public var location: SourceLocation?

    public init(certificateFile: String, keyFile: String, names: [HostPattern] = [], location: SourceLocation? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.names = names
        self.location = location
    }

    /// Equal without the source location, so that a moved line keeps the listener's TLS context.
    public static func == (a: TLSCertificateSpec, b: TLSCertificateSpec) -> Bool {
        a.certificateFile == b.certificateFile && a.keyFile == b.keyFile && a.names == b.names
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(certificateFile)
        hasher.combine(keyFile)
        hasher.combine(names)
    }
}
