import GatewayCore
import GatewayTestSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

@Suite("TLS listeners") struct TLSListenerTests {
    static let health = Route(path: .exact("/health"), action: .respond(StaticResponse(status: 200, body: "ok")))

    /// A CA, three certificates (default, exact, wildcard) and a gateway serving them by SNI.
    struct Setup {
        let certificates: TestCertificates
        let defaultCertificate: TestCertificates.Issued
        let exact: TestCertificates.Issued
        let wildcard: TestCertificates.Issued
        let gateway: TestGateway
        let group: MultiThreadedEventLoopGroup

        func stop() async throws {
            await gateway.stop()
            try await group.shutdownGracefully()
            certificates.remove()
        }
    }

    static func start(
        configure: (inout ListenerSpec) -> Void = { _ in },
        extraListeners: [ListenerSpec] = [],
        settings: (inout ServerSettings) -> Void = { _ in }
    ) async throws -> Setup {
        let certificates = try TestCertificates()
        let defaultCertificate = try certificates.issue("default", names: ["default.example.test"])
        let exact = try certificates.issue("exact", names: ["api.example.test"])
        let wildcard = try certificates.issue("wildcard", names: ["*.apps.example.test"])
        var listener = ListenerSpec(
            host: "127.0.0.1", port: 0,
            tls: ListenerTLS(certificates: [
                TLSCertificateSpec(certificateFile: defaultCertificate.certificate, keyFile: defaultCertificate.key),
                TLSCertificateSpec(certificateFile: exact.certificate, keyFile: exact.key),
                TLSCertificateSpec(certificateFile: wildcard.certificate, keyFile: wildcard.key),
            ]))
        configure(&listener)
        let plan = TestPlans.plan(listeners: [listener] + extraListeners, routes: [health], settings: settings)
        let gateway = try await TestGateway(plan: plan)
        return Setup(
            certificates: certificates, defaultCertificate: defaultCertificate, exact: exact, wildcard: wildcard,
            gateway: gateway, group: MultiThreadedEventLoopGroup(numberOfThreads: 1))
    }

    static func leaf(_ issued: TestCertificates.Issued) throws -> NIOSSLCertificate {
        try NIOSSLCertificate.fromPEMFile(issued.certificate)[0]
    }

    @Test func sniChoosesExactWildcardOrDefaultCertificate() async throws {
        let setup = try await Self.start()
        let client = try TLSTestClient.configuration(trusting: setup.certificates.caCertificate)
        let cases: [(String?, TestCertificates.Issued)] = [
            ("api.example.test", setup.exact),
            ("API.example.test", setup.exact),
            ("web.apps.example.test", setup.wildcard),
            ("deep.web.apps.example.test", setup.defaultCertificate),
            ("unknown.test", setup.defaultCertificate),
        ]
        for (name, expected) in cases {
            var configuration = client
            // Names that the served certificate does not cover must still complete the handshake.
            configuration.certificateVerification = .noHostnameVerification
            let handshake = try await TLSTestClient.handshake(port: setup.gateway.port, group: setup.group, configuration: configuration, serverName: name)
            #expect(handshake.certificate == (try Self.leaf(expected)), "SNI \(name ?? "none")")
        }
        var noSNI = client
        noSNI.certificateVerification = .noHostnameVerification
        let handshake = try await TLSTestClient.handshake(port: setup.gateway.port, group: setup.group, configuration: noSNI, serverName: nil)
        #expect(handshake.certificate == (try Self.leaf(setup.defaultCertificate)))
        try await setup.stop()
    }

    @Test func onlyTLS12And13AreAccepted() async throws {
        let setup = try await Self.start()
        let ca = setup.certificates.caCertificate
        let old = try TLSTestClient.configuration(trusting: ca, minimumVersion: .tlsv1, maximumVersion: .tlsv11)
        await #expect(throws: (any Error).self) {
            _ = try await TLSTestClient.handshake(port: setup.gateway.port, group: setup.group, configuration: old, serverName: "api.example.test")
        }
        for version in [TLSVersion.tlsv12, .tlsv13] {
            let configuration = try TLSTestClient.configuration(trusting: ca, minimumVersion: version, maximumVersion: version)
            let handshake = try await TLSTestClient.handshake(
                port: setup.gateway.port, group: setup.group, configuration: configuration, serverName: "api.example.test")
            #expect(handshake.version == version)
        }
        try await setup.stop()
    }

    /// The OpenSSL command line offers what BoringSSL clients no longer do.
    @Test func legacyProtocolsAndCipherSuitesAreRefused() async throws {
        let setup = try await Self.start()
        let port = setup.gateway.port
        let tls11 = try OpenSSLClient.handshake(port: port, arguments: ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        #expect(tls11.contains("alert protocol version"), "\(tls11)")
        for suite in ["AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA256"] {
            let legacy = try OpenSSLClient.handshake(port: port, arguments: ["-tls1_2", "-cipher", "\(suite)@SECLEVEL=0"])
            #expect(legacy.contains("Cipher is (NONE)"), "\(suite): \(legacy)")
        }
        let modern = try OpenSSLClient.handshake(port: port, arguments: ["-tls1_2", "-servername", "api.example.test"])
        #expect(modern.contains("Cipher is ECDHE-ECDSA-AES256-GCM-SHA384") || modern.contains("Cipher is ECDHE-ECDSA-CHACHA20-POLY1305"), "\(modern)")
        try await setup.stop()
    }

    @Test func alpnOffersH2AndHTTP11() async throws {
        let setup = try await Self.start(extraListeners: [])
        let ca = setup.certificates.caCertificate
        for (offered, expected) in [(["h2", "http/1.1"], "h2"), (["http/1.1"], "http/1.1"), (["h2"], "h2")] {
            let configuration = try TLSTestClient.configuration(trusting: ca, alpn: offered)
            let handshake = try await TLSTestClient.handshake(
                port: setup.gateway.port, group: setup.group, configuration: configuration, serverName: "api.example.test")
            #expect(handshake.negotiatedProtocol == expected, "offered \(offered)")
        }
        try await setup.stop()

        let http1Only = try await Self.start { $0.http2 = false }
        let configuration = try TLSTestClient.configuration(trusting: http1Only.certificates.caCertificate, alpn: ["h2", "http/1.1"])
        let handshake = try await TLSTestClient.handshake(
            port: http1Only.gateway.port, group: http1Only.group, configuration: configuration, serverName: "api.example.test")
        #expect(handshake.negotiatedProtocol == "http/1.1")
        try await http1Only.stop()
    }

    /// A client that connects and never sends its ClientHello (or trickles it) is closed after
    /// `request_head`, like a slow HTTP head.
    @Test func silentTLSClientIsClosed() async throws {
        // Long enough that a loaded machine sends the partial record before the deadline; if it
        // does not, the gateway has closed already, which is what is checked below.
        let setup = try await Self.start(settings: { $0.timeouts.requestHead = .seconds(2) })
        let silent = try await ByteClient.connect(port: setup.gateway.ports[0], group: setup.group)
        let trickling = try await ByteClient.connect(port: setup.gateway.ports[0], group: setup.group)
        try? await trickling.send([0x16, 0x03, 0x01])  // the first bytes of a TLS record
        try await silent.waitForClose(timeout: .seconds(20))
        try await trickling.waitForClose(timeout: .seconds(20))
        try await setup.stop()
    }

    @Test func http11OverTLSGetsHSTSAndCleartextDoesNot() async throws {
        let setup = try await Self.start(extraListeners: [ListenerSpec(host: "127.0.0.1", port: 0)])
        let configuration = try TLSTestClient.configuration(trusting: setup.certificates.caCertificate)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/health", headers: ["Host": "api.example.test"])
        let secure = try await TLSTestClient.request(
            head, port: setup.gateway.ports[0], group: setup.group, configuration: configuration, serverName: "api.example.test")
        #expect(secure.status == 200)
        #expect(secure.body == "ok")
        #expect(secure.header("Strict-Transport-Security") == "max-age=31536000")
        let plain = try await RawClient.send(["GET /health HTTP/1.1\r\nHost: a\r\n\r\n"], port: setup.gateway.ports[1], group: setup.group)
        #expect(plain.responses.first?.status == 200)
        #expect(plain.responses.first?.header("Strict-Transport-Security") == nil)
        try await setup.stop()
    }

    @Test func hstsIsConfigurableAndCanBeOff() async throws {
        let custom = try await Self.start { $0.tls?.hsts = HSTSPolicy(maxAgeSeconds: 63_072_000, includeSubdomains: true, preload: true) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/health", headers: ["Host": "api.example.test"])
        let configuration = try TLSTestClient.configuration(trusting: custom.certificates.caCertificate)
        let response = try await TLSTestClient.request(head, port: custom.gateway.port, group: custom.group, configuration: configuration, serverName: "api.example.test")
        #expect(response.header("Strict-Transport-Security") == "max-age=63072000; includeSubDomains; preload")
        try await custom.stop()

        let off = try await Self.start { $0.tls?.hsts = nil }
        let offConfiguration = try TLSTestClient.configuration(trusting: off.certificates.caCertificate)
        let plain = try await TLSTestClient.request(head, port: off.gateway.port, group: off.group, configuration: offConfiguration, serverName: "api.example.test")
        #expect(plain.status == 200)
        #expect(plain.header("Strict-Transport-Security") == nil)
        try await off.stop()
    }

    @Test func cleartextListenerRedirectsToHTTPS() async throws {
        let setup = try await Self.start(extraListeners: [
            ListenerSpec(host: "127.0.0.1", port: 0, redirectHTTPS: HTTPSRedirect(port: 8443)),
            ListenerSpec(host: "127.0.0.1", port: 0, redirectHTTPS: HTTPSRedirect()),
        ])
        let withPort = try await RawClient.send(
            ["GET /a/./b/../c?x=1&y=2 HTTP/1.1\r\nHost: API.example.test:80\r\n\r\n"], port: setup.gateway.ports[1], group: setup.group)
        #expect(withPort.responses.first?.status == 308)
        #expect(withPort.responses.first?.header("Location") == "https://api.example.test:8443/a/c?x=1&y=2")
        #expect(withPort.responses.first?.header("Strict-Transport-Security") == nil)
        let defaultPort = try await RawClient.send(
            ["POST /nowhere HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 0\r\n\r\n"], port: setup.gateway.ports[2], group: setup.group)
        #expect(defaultPort.responses.first?.status == 308)
        #expect(defaultPort.responses.first?.header("Location") == "https://shop.test/nowhere")
        try await setup.stop()
    }

    @Test func mutualTLSRequiresAClientCertificate() async throws {
        let certificates = try TestCertificates()
        let server = try certificates.issue("server", names: ["api.example.test"])
        let client = try certificates.issue("client", names: ["client.example.test"])
        let listener = ListenerSpec(
            host: "127.0.0.1", port: 0,
            tls: ListenerTLS(
                certificates: [TLSCertificateSpec(certificateFile: server.certificate, keyFile: server.key)],
                clientCAFile: certificates.caCertificate))
        let gateway = try await TestGateway(plan: TestPlans.plan(listeners: [listener], routes: [Self.health]))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/health", headers: ["Host": "api.example.test"])

        let anonymous = try TLSTestClient.configuration(trusting: certificates.caCertificate)
        await #expect(throws: (any Error).self) {
            _ = try await TLSTestClient.request(head, port: gateway.port, group: group, configuration: anonymous, serverName: "api.example.test")
        }
        let stranger = try certificates.selfSigned("stranger", names: ["stranger.test"])
        let untrusted = try TLSTestClient.configuration(trusting: certificates.caCertificate, clientCertificate: stranger)
        await #expect(throws: (any Error).self) {
            _ = try await TLSTestClient.request(head, port: gateway.port, group: group, configuration: untrusted, serverName: "api.example.test")
        }
        let identified = try TLSTestClient.configuration(trusting: certificates.caCertificate, clientCertificate: client)
        let response = try await TLSTestClient.request(head, port: gateway.port, group: group, configuration: identified, serverName: "api.example.test")
        #expect(response.status == 200)

        await gateway.stop()
        try await group.shutdownGracefully()
        certificates.remove()
    }
}
