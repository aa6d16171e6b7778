/// Checks the TLS files a configuration names while it is loaded, so `gateway check` and a
/// reload refuse a certificate that could not serve.
///
/// A port: the configuration module stays free of file systems and TLS libraries; the server
/// supplies a checker that parses with the TLS library and looks at file permissions, and
/// ``PEMFileChecker`` (the default) checks what text alone can tell.
public protocol TLSFileChecker: Sendable {
    /// Problems with a certificate chain and its private key (both PEM); empty when they can serve.
    func checkCertificate(_ certificateFile: String, key keyFile: String) -> [TLSFileProblem]
    /// Problems with a PEM bundle of CA certificates.
    func checkCABundle(_ file: String) -> [TLSFileProblem]
}

/// One problem with a TLS file, for a diagnostic at the argument that names the file.
public struct TLSFileProblem: Sendable, Hashable {
    public enum Subject: Sendable, Hashable {
        case certificate
        case key
        case caBundle
    }

    public var subject: Subject
    public var isWarning: Bool
    public var message: String
    public var hint: String?

    public init(_ subject: Subject, warning: Bool = false, _ message: String, hint: String? = nil) {
        self.subject = subject
        self.isWarning = warning
        self.message = message
        self.hint = hint
    }
}
