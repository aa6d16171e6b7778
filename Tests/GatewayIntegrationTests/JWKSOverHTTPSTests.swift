import GatewayCore
import GatewayPolicies
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// JWKS fetched over https from a server with a certificate from a test CA: verified against
/// `jwks_ca`, refused (and logged) with another CA or a redirect, and rotated.
@Suite("JWKS over https") struct JWKSOverHTTPSTests {
    typealias SigningKey = JWTAuthTests.SigningKey

    /// A JWKS server over TLS with a certificate for 127.0.0.1 from `certificates`.
    static func jwksServer(
        _ certificates: TestCertificates, group: any EventLoopGroup, responder: @escaping TestUpstream.Responder
    ) async throws -> TestUpstream {
        let issued = try certificates.issue("jwks", names: ["127.0.0.1"])
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(issued.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: issued.key, format: .pem)))
        return try await TestUpstream(group: group, tls: try NIOSSLContext(configuration: configuration), responder: responder)
    }

    /// The gateway with issuer `main` fetching `https://127.0.0.1:PORT/jwks.json`, trusting `ca`
    /// (an absolute path, read by the loader now and by the fetcher later).
    static func withGateway(
        jwksPort: Int, ca: String, log: CapturedLog,
        _ body: (TestUpstream, TestGateway, MultiThreadedEventLoopGroup) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group) { _ in .init(body: "ok") }
        let config = ConfigText.base(upstream: upstream.port) + """
            jwt main {
                issuer https://issuer.test;
                audience api;
                algorithms ES256;
                jwks_url https://127.0.0.1:\(jwksPort)/jwks.json;
                jwks_ca \(ca);
                jwks_cooldown 0s;
                forward_claim sub X-User;
            }
            route /api/* { proxy app; auth jwt main; }

            """
        let gateway: TestGateway
        do {
            let plan = try ConfigText.plan(config, files: [ca: try String(contentsOfFile: ca, encoding: .utf8)])
            gateway = try await TestGateway(plan: plan, logger: log.logger)
        } catch {
            try await upstream.stop()
            try await group.shutdownGracefully()
            throw error
        }
        try await runThenStop(upstream, gateway, group, body)
    }

    @Test func keysAreFetchedOverHTTPSAndRotated() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let first = SigningKey(kid: "k1"), second = SigningKey(kid: "k2")
        let published = NIOLockedValueBox(JWTAuthTests.jwks([first]))
        let jwksGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let jwks = try await Self.jwksServer(certificates, group: jwksGroup) { _ in
            .init(headers: [("Content-Type", "text/plain")], body: published.withLockedValue { $0 })
        }
        let log = CapturedLog()
        try await Self.withGateway(jwksPort: jwks.port, ca: certificates.caCertificate, log: log) { upstream, gateway, group in
            let source = try #require(gateway.server.plan.remoteDocuments.first as? JWKSKeySource)
            #expect(jwks.requestCount == 1)
            #expect(source.keys != nil, "\(log.messages)")
            let head = try #require(jwks.requests.first?.head)
            #expect(head.uri == "/jwks.json")
            #expect(head.headers["Host"] == ["127.0.0.1:\(jwks.port)"])
            #expect(head.headers["Connection"] == ["close"])

            let token = first.token()
            #expect(try await JWTAuthTests.get("/api/a", token: token, gateway: gateway, group: group).status == 200)
            #expect(try await JWTAuthTests.get("/api/a", token: token, gateway: gateway, group: group).status == 200)
            #expect(upstream.requests.last?.head.headers["X-User"] == ["user-1"])

            // Rotation: k1 is withdrawn and k2 published. A k2 token asks for an early fetch;
            // once it is in, k2 passes and the k1 token (verified and cached before) fails.
            published.withLockedValue { $0 = JWTAuthTests.jwks([second]) }
            let refreshed = source.nextUpdate(on: group.next())
            #expect(try await JWTAuthTests.get("/api/a", token: second.token(sub: "user-2"), gateway: gateway, group: group).status == 401)
            try await refreshed.get()
            #expect(source.lastError == nil)
            #expect(try await JWTAuthTests.get("/api/a", token: second.token(sub: "user-2"), gateway: gateway, group: group).status == 200)
            #expect(upstream.requests.last?.head.headers["X-User"] == ["user-2"])
            // Its kid is unknown now: 401 (and, with no cooldown, another early fetch).
            #expect(try await JWTAuthTests.get("/api/a", token: token, gateway: gateway, group: group).status == 401)
            #expect(jwks.requestCount >= 2)
        }
        try await jwks.stop()
        try await jwksGroup.shutdownGracefully()
    }

    @Test(arguments: ["untrusted certificate", "redirect"])
    func aRefusedFetchIsLoggedAndAnswers503(case name: String) async throws {
        let certificates = try TestCertificates()
        let otherCA = try TestCertificates(caName: "Someone Else")
        defer {
            certificates.remove()
            otherCA.remove()
        }
        let key = SigningKey(kid: "k1")
        let document = JWTAuthTests.jwks([key])
        let jwksGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let jwks = try await Self.jwksServer(certificates, group: jwksGroup) { _ in
            name == "redirect" ? .init(status: .found, headers: [("Location", "https://127.0.0.1:1/jwks.json")], body: "") : .init(body: document)
        }
        let trusted = name == "redirect" ? certificates.caCertificate : otherCA.caCertificate
        let log = CapturedLog()
        try await Self.withGateway(jwksPort: jwks.port, ca: trusted, log: log) { upstream, gateway, group in
            let source = try #require(gateway.server.plan.remoteDocuments.first as? JWKSKeySource)
            #expect(source.keys == nil)
            let reason = try #require(source.lastError)
            if name == "redirect" {
                #expect(reason.contains("answered 302 (redirects are not followed)"), "\(reason)")
                #expect(jwks.requestCount == 1)
            } else {
                #expect(jwks.requestCount == 0, "no request is sent to a server that failed verification")
            }
            #expect(log.contains("remote document not refreshed"), "\(log.messages)")
            let response = try await JWTAuthTests.get("/api/a", token: key.token(), gateway: gateway, group: group)
            #expect(response.status == 503)
            #expect(response.body.contains("auth_unavailable"))
            #expect(upstream.requestCount == 0)
        }
        try await jwks.stop()
        try await jwksGroup.shutdownGracefully()
    }
}
