/// The checks of TLS files that need only their text: the file can be read, a certificate file
/// holds `CERTIFICATE` blocks, a key file a `PRIVATE KEY` block.
public struct PEMFileChecker: TLSFileChecker {
    public let readFile: @Sendable (String) throws -> String

    public init(readFile: @escaping @Sendable (String) throws -> String) {
        self.readFile = readFile
    }

    public func checkCertificate(_ certificateFile: String, key keyFile: String) -> [TLSFileProblem] {
        check(certificateFile, as: .certificate) + check(keyFile, as: .key)
    }

    public func checkCABundle(_ file: String) -> [TLSFileProblem] {
        check(file, as: .caBundle)
    }

    private func check(_ path: String, as subject: TLSFileProblem.Subject) -> [TLSFileProblem] {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            return [TLSFileProblem(subject, "cannot read '\(path)': \(error)", hint: "the file must exist and be readable by the gateway's user")]
        }
        switch subject {
        case .certificate, .caBundle:
            guard text.contains("-----BEGIN CERTIFICATE-----") else {
                return [TLSFileProblem(subject, "'\(path)' holds no PEM certificate", hint: "expected '-----BEGIN CERTIFICATE-----' blocks")]
            }
        case .key:
            guard text.contains("-----BEGIN "), text.contains("PRIVATE KEY-----") else {
                return [TLSFileProblem(subject, "'\(path)' holds no PEM private key", hint: "expected a '-----BEGIN PRIVATE KEY-----' block")]
            }
        }
        return []
    }
}
