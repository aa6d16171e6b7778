import Foundation
import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

@Suite("Certificate reload") struct CertificateReloadTests {
    /// Copies an issued certificate over the files the listener serves from.
    static func install(_ issued: TestCertificates.Issued, as served: TestCertificates.Issued) throws {
        for (from, to) in [(issued.certificate, served.certificate), (issued.key, served.key)] {
            let data = try Data(contentsOf: URL(fileURLWithPath: from))
            try data.write(to: URL(fileURLWithPath: to))
        }
    }

    static func servedCertificate(port: Int, group: any EventLoopGroup, ca: String) async throws -> NIOSSLCertificate? {
        let configuration = try TLSTestClient.configuration(trusting: ca)
        return try await TLSTestClient.handshake(port: port, group: group, configuration: configuration, serverName: "reload.example.test").certificate
    }

    /// Polls (bounded: 200 × 25 ms) until `condition` holds.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if try await condition() { return true }
            try await Task.sleep(nanoseconds: 25_000_000)
        }
        return false
    }

    /// A gateway serving a copy of `issued` (files `served.*.pem`), checking them every 50 ms.
    static func serve(_ issued: TestCertificates.Issued, in certificates: TestCertificates) async throws -> (TestGateway, TestCertificates.Issued, CapturedLog) {
        let served = TestCertificates.Issued(certificate: certificates.directory + "/served.cert.pem", key: certificates.directory + "/served.key.pem")
        try install(issued, as: served)
        let listener = ListenerSpec(
            host: "127.0.0.1", port: 0,
            tls: ListenerTLS(certificates: [TLSCertificateSpec(certificateFile: served.certificate, keyFile: served.key)]))
        let plan = TestPlans.plan(
            listeners: [listener], routes: [Route(path: .exact("/health"), action: .respond(StaticResponse(status: 200, body: "ok")))]
        ) { $0.certificateCheckInterval = .milliseconds(50) }
        let log = CapturedLog()
        return (try await TestGateway(plan: plan, logger: log.logger), served, log)
    }

    @Test func watcherServesChangedFilesToNewHandshakesAndKeepsOpenConnections() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let certificates = try TestCertificates()
        let first = try certificates.issue("first", names: ["reload.example.test"])
        let second = try certificates.issue("second", names: ["reload.example.test"])
        let (gateway, served, log) = try await Self.serve(first, in: certificates)
        let firstLeaf = try NIOSSLCertificate.fromPEMFile(first.certificate)[0]
        let secondLeaf = try NIOSSLCertificate.fromPEMFile(second.certificate)[0]
        let initial = try await Self.servedCertificate(port: gateway.port, group: group, ca: certificates.caCertificate)
        #expect(initial == firstLeaf)

        // An HTTP/2 connection opened before the change.
        let open = try await H2TestClient.connect(
            port: gateway.port, group: group, tls: try TLSTestClient.configuration(trusting: certificates.caCertificate),
            serverName: "reload.example.test")
        let before = try await open.request(path: "/health")
        #expect(before.status == 200)

        try Self.install(second, as: served)
        let switched = try await Self.eventually {
            try await Self.servedCertificate(port: gateway.port, group: group, ca: certificates.caCertificate) == secondLeaf
        }
        #expect(switched)
        #expect(log.contains("certificates reloaded"))
        // The open connection was not dropped and still works.
        let after = try await open.request(path: "/health")
        #expect(after.status == 200)
        await open.close()

        await gateway.stop()
        try await group.shutdownGracefully()
        certificates.remove()
    }

    @Test(arguments: ["garbage", "mismatched key"])
    func brokenNewFilesAreRefusedAndTheOldCertificateKeepsServing(breakage: String) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let certificates = try TestCertificates()
        let first = try certificates.issue("first", names: ["reload.example.test"])
        let other = try certificates.issue("other", names: ["reload.example.test"])
        let (gateway, served, log) = try await Self.serve(first, in: certificates)

        if breakage == "garbage" {
            try "not a certificate\n".write(toFile: served.certificate, atomically: true, encoding: .utf8)
        } else {
            // The other certificate with the first one's key.
            let data = try Data(contentsOf: URL(fileURLWithPath: other.certificate))
            try data.write(to: URL(fileURLWithPath: served.certificate))
        }
        let refused = try await Self.eventually { log.contains("new certificate refused") }
        #expect(refused, "\(log.messages)")
        let firstLeaf = try NIOSSLCertificate.fromPEMFile(first.certificate)[0]
        let stillServed = try await Self.servedCertificate(port: gateway.port, group: group, ca: certificates.caCertificate)
        #expect(stillServed == firstLeaf)
        #expect(gateway.server.reloadCertificates() == false)

        // Fixed files are picked up.
        try Self.install(other, as: served)
        #expect(gateway.server.reloadCertificates() || log.contains("certificates reloaded"))
        let otherLeaf = try NIOSSLCertificate.fromPEMFile(other.certificate)[0]
        let fixed = try await Self.servedCertificate(port: gateway.port, group: group, ca: certificates.caCertificate)
        #expect(fixed == otherLeaf)

        await gateway.stop()
        try await group.shutdownGracefully()
        certificates.remove()
    }
}
