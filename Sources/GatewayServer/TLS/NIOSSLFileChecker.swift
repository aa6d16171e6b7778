import GatewayConfig
import GatewayCore
import NIOSSL

/// The checks `gateway check` and `gateway run` make of TLS files: the text checks of
/// ``PEMFileChecker``, then a parse by NIOSSL with the key matched against the certificate, and a
/// warning when a private key is readable by group or others.
public struct NIOSSLFileChecker: TLSFileChecker {
    private let text = PEMFileChecker(readFile: LocalFile.readText)

    public init() {}

    public func checkCertificate(_ certificateFile: String, key keyFile: String) -> [TLSFileProblem] {
        let basic = text.checkCertificate(certificateFile, key: keyFile)
        if !basic.isEmpty { return basic }
        var problems: [TLSFileProblem] = []
        let spec = TLSCertificateSpec(certificateFile: certificateFile, keyFile: keyFile)
        do {
            let loaded = try TLSContextFactory.loadCertificate(certificateFile: certificateFile, keyFile: keyFile)
            _ = try TLSContextFactory.serverContext(loaded, spec: spec, clientCA: nil, http2: true)
        } catch let error as TLSFileError {
            let subject: TLSFileProblem.Subject = error.path == certificateFile ? .certificate : .key
            problems.append(TLSFileProblem(subject, "\(error)", hint: "check that the files hold the PEM certificate chain and its own private key"))
        } catch {
            problems.append(TLSFileProblem(.certificate, "\(certificateFile): \(error)"))
        }
        if let mode = LocalFile.permissions(keyFile), mode & 0o077 != 0 {
            problems.append(
                TLSFileProblem(
                    .key, warning: true,
                    "private key '\(keyFile)' is readable by group or others (mode \(String(mode, radix: 8)))",
                    hint: "chmod 600 it, owned by the gateway's user"))
        }
        return problems
    }

    public func checkCABundle(_ file: String) -> [TLSFileProblem] {
        let basic = text.checkCABundle(file)
        if !basic.isEmpty { return basic }
        do {
            _ = try TLSContextFactory.loadCertificates(file)
            return []
        } catch {
            return [TLSFileProblem(.caBundle, "\(error)", hint: "expected PEM CA certificates")]
        }
    }
}
