import Foundation
import GatewayConfig
import GatewayCore
import GatewayServer
import GatewayTestSupport
import Testing

/// `gateway check` and `run` load configurations with ``NIOSSLFileChecker``: certificate files
/// must parse, keys must fit their certificates, and loose key permissions are warned about.
@Suite("TLS files in gateway.conf") struct TLSConfigCheckTests {
    static func load(_ text: String, in directory: String) throws -> ConfigLoadResult {
        let path = directory + "/gateway.conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return ConfigLoader(environment: [:], readFile: LocalFile.readText, tlsFileChecker: NIOSSLFileChecker()).load(path: path)
    }

    static let route = "route /health { respond 200; }\n"

    @Test func validFilesLoadWithNamesResolvedAgainstTheConfigDirectory() throws {
        let certificates = try TestCertificates()
        try certificates.issue("site", names: ["site.test"])
        let result = try Self.load("listen 127.0.0.1:0 tls {\n    certificate site.cert.pem site.key.pem;\n    client_ca ca.cert.pem;\n}\n" + Self.route, in: certificates.directory)
        let plan = try #require(result.plan, "\(result.report)")
        #expect(result.diagnostics.isEmpty, "\(result.report)")
        #expect(plan.listeners[0].tls?.certificates.first?.certificateFile == certificates.directory + "/site.cert.pem")
        #expect(plan.listeners[0].tls?.clientCAFile == certificates.directory + "/ca.cert.pem")
        certificates.remove()
    }

    @Test func keyOfAnotherCertificateIsAnErrorAtTheKeyArgument() throws {
        let certificates = try TestCertificates()
        try certificates.issue("site", names: ["site.test"])
        try certificates.issue("other", names: ["other.test"])
        let result = try Self.load("listen 127.0.0.1:0 tls {\n    certificate site.cert.pem other.key.pem;\n}\n" + Self.route, in: certificates.directory)
        #expect(result.plan == nil)
        let error = try #require(result.diagnostics.first { $0.isError })
        #expect(error.location?.line == 2)
        #expect(error.location?.column == 31)
        #expect(error.description.contains("other.key.pem: does not fit the certificate"), "\(error)")
        certificates.remove()
    }

    @Test func unreadableAndNonPEMFilesAreErrors() throws {
        let certificates = try TestCertificates()
        try certificates.issue("site", names: ["site.test"])
        try "hello\n".write(toFile: certificates.directory + "/text.pem", atomically: true, encoding: .utf8)
        let text = """
            listen 127.0.0.1:0 tls {
                certificate missing.pem site.key.pem;
                certificate text.pem site.key.pem;
                certificate site.cert.pem site.cert.pem;
            }

            """
        let result = try Self.load(text + Self.route, in: certificates.directory)
        #expect(result.plan == nil)
        let errors = result.diagnostics.filter(\.isError).map(\.description)
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.contains { $0.contains("gateway.conf:2:17: error: cannot read") && $0.contains("missing.pem") })
        #expect(errors.contains { $0.contains("gateway.conf:3:17: error:") && $0.contains("holds no PEM certificate") })
        #expect(errors.contains { $0.contains("gateway.conf:4:31: error:") && $0.contains("holds no PEM private key") })
        certificates.remove()
    }

    @Test func groupReadableKeyIsAWarning() throws {
        let certificates = try TestCertificates()
        let site = try certificates.issue("site", names: ["site.test"])
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: site.key)
        let result = try Self.load("listen 127.0.0.1:0 tls {\n    certificate site.cert.pem site.key.pem;\n}\n" + Self.route, in: certificates.directory)
        #expect(result.plan != nil)
        let warning = try #require(result.diagnostics.first)
        #expect(warning.severity == .warning)
        #expect(warning.description.contains("gateway.conf:2:31: warning: private key"), "\(warning)")
        #expect(warning.description.contains("mode 644"))
        certificates.remove()
    }

    @Test func repositoryExampleLoadsWithTheRealChecker() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let direct = ConfigLoader(environment: [:], readFile: LocalFile.readText, tlsFileChecker: NIOSSLFileChecker())
            .load(path: root + "/gateway.conf.example")
        #expect(direct.plan != nil, "\(direct.report)")
        #expect(direct.diagnostics.filter(\.isError).isEmpty)
    }
}
