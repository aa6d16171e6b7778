import Foundation

/// A throw-away CA and the certificates it issues, made with the `openssl` command line in a
/// fresh temporary directory (removed by ``remove()``).
public final class TestCertificates: Sendable {
    public let directory: String
    public let caCertificate: String
    public let caKey: String

    public struct Issued: Sendable {
        public let certificate: String
        public let key: String

        public init(certificate: String, key: String) {
            self.certificate = certificate
            self.key = key
        }
    }

    public struct OpenSSLFailed: Error, CustomStringConvertible {
        public var arguments: [String]
        public var output: String
        public var description: String { "openssl \(arguments.joined(separator: " ")) failed: \(output)" }
    }

    /// Creates the directory and a CA (EC P-256, 1 day).
    public init(caName: String = "Gateway Test CA") throws {
        directory = NSTemporaryDirectory() + "gateway-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        caCertificate = directory + "/ca.cert.pem"
        caKey = directory + "/ca.key.pem"
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", caKey, "-out", caCertificate, "-days", "1", "-subj", "/CN=\(caName)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// Issues a leaf certificate for `names` (DNS names, or IP addresses) signed by this CA, into
    /// `<file>.cert.pem` and `<file>.key.pem` (mode 600).
    @discardableResult
    public func issue(_ file: String, names: [String], commonName: String? = nil) throws -> Issued {
        let certificate = directory + "/\(file).cert.pem"
        let key = directory + "/\(file).key.pem"
        let request = directory + "/\(file).csr"
        let extensions = directory + "/\(file).ext"
        let san = names.map { $0.allSatisfy { $0.isNumber || $0 == "." } ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        try "subjectAltName=\(san)\nextendedKeyUsage=serverAuth,clientAuth\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", request, "-subj", "/CN=\(commonName ?? names.first ?? file)",
        ])
        try Self.openssl([
            "x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial",
            "-out", certificate, "-days", "1", "-extfile", extensions,
        ])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return Issued(certificate: certificate, key: key)
    }

    /// A self-signed certificate (not from this CA), e.g. for verification failures.
    @discardableResult
    public func selfSigned(_ file: String, names: [String]) throws -> Issued {
        let certificate = directory + "/\(file).cert.pem"
        let key = directory + "/\(file).key.pem"
        let san = names.map { "DNS:\($0)" }.joined(separator: ",")
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=\(names.first ?? file)",
            "-addext", "subjectAltName=\(san)",
        ])
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return Issued(certificate: certificate, key: key)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func openssl(_ arguments: [String]) throws {
        let (output, status) = try Subprocess.run(["openssl"] + arguments)
        guard status == 0 else { throw OpenSSLFailed(arguments: arguments, output: output) }
    }
}
