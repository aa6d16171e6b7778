import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@Suite("TLS to upstreams") struct UpstreamTLSTests {
    /// An HTTPS upstream with a certificate for `api.internal` from a test CA, optionally
    /// requiring a client certificate from that CA.
    static func secureUpstream(
        _ certificates: TestCertificates,
        group: any EventLoopGroup,
        requireClientCertificate: Bool = false
    ) async throws -> TestUpstream {
        let issued = try certificates.issue("upstream", names: ["api.internal"])
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(issued.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: issued.key, format: .pem)))
        if requireClientCertificate {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caCertificate))
        }
        return try await TestUpstream(group: group, tls: try NIOSSLContext(configuration: configuration)) { request in
            .init(body: "secure \(request.head.uri)")
        }
    }

    static func gateway(upstream: TestUpstream, tls: UpstreamTLS, log: CapturedLog? = nil) async throws -> TestGateway {
        let spec = UpstreamSpec(
            name: "app", servers: [UpstreamServer(host: "127.0.0.1", port: upstream.port)], maxConnectAttempts: 1, tls: tls)
        let plan = TestPlans.plan(
            listeners: [ListenerSpec(host: "127.0.0.1", port: 0)], upstreams: [spec],
            routes: [Route(path: .prefix("/"), action: .proxy(ProxyTarget(upstream: "app")))])
        return try await TestGateway(plan: plan, logger: log?.logger)
    }

    @Test func verifiesTheUpstreamAgainstTheConfiguredCAAndName() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let certificates = try TestCertificates()
        let upstream = try await Self.secureUpstream(certificates, group: group)
        let gateway = try await Self.gateway(upstream: upstream, tls: UpstreamTLS(caFile: certificates.caCertificate, serverName: "api.internal"))
        for _ in 0..<3 {
            let result = try await RawClient.send(["GET /over/tls HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
            #expect(result.responses.first?.status == 200)
            #expect(result.responses.first?.body == "secure /over/tls")
        }
        // Keep-alive works over TLS too: one upstream connection served all three.
        #expect(upstream.connectionCount == 1)
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        certificates.remove()
    }

    @Test(arguments: ["wrong CA", "wrong name"])
    func verificationFailureIs502WithALogLine(case name: String) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let certificates = try TestCertificates()
        let upstream = try await Self.secureUpstream(certificates, group: group)
        let otherCA = try TestCertificates(caName: "Someone Else")
        let tls = name == "wrong CA"
            ? UpstreamTLS(caFile: otherCA.caCertificate, serverName: "api.internal")
            : UpstreamTLS(caFile: certificates.caCertificate, serverName: "other.internal")
        let log = CapturedLog()
        let gateway = try await Self.gateway(upstream: upstream, tls: tls, log: log)
        let result = try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: gateway.port, group: group)
        #expect(result.responses.first?.status == 502)
        #expect(result.responses.first?.body.contains(#""code":"bad_gateway""#) == true)
        #expect(upstream.requestCount == 0)
        #expect(log.contains("upstream TLS handshake failed"), "\(log.messages)")
        #expect(log.contains("TLS handshake with 127.0.0.1:\(upstream.port) failed"), "\(log.messages)")
        await gateway.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        certificates.remove()
        otherCA.remove()
    }

    @Test func presentsAClientCertificateWhenTheUpstreamAsks() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let certificates = try TestCertificates()
        let upstream = try await Self.secureUpstream(certificates, group: group, requireClientCertificate: true)
        let client = try certificates.issue("gateway-client", names: ["gateway.internal"])

        let without = try await Self.gateway(upstream: upstream, tls: UpstreamTLS(caFile: certificates.caCertificate, serverName: "api.internal"))
        let refused = try await RawClient.send(["GET / HTTP/1.1\r\nHost: a\r\n\r\n"], port: without.port, group: group)
        #expect(refused.responses.first?.status == 502)
        await without.stop()

        let with = try await Self.gateway(
            upstream: upstream,
            tls: UpstreamTLS(
                caFile: certificates.caCertificate, serverName: "api.internal",
                clientCertificateFile: client.certificate, clientKeyFile: client.key))
        let accepted = try await RawClient.send(["GET /mtls HTTP/1.1\r\nHost: a\r\n\r\n"], port: with.port, group: group)
        #expect(accepted.responses.first?.status == 200)
        #expect(accepted.responses.first?.body == "secure /mtls")
        await with.stop()
        try await upstream.stop()
        try await group.shutdownGracefully()
        certificates.remove()
    }
}
