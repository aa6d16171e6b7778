import Crypto
import Foundation
import GatewayCore
import GatewayPolicies
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// JWT authentication through the real gateway, with keys published by a JWKS server that the
/// test rotates and takes down.
@Suite("JWT authentication") struct JWTAuthTests {
    /// P-256 signing keys with their key ids; created once, only read.
    struct SigningKey: @unchecked Sendable {
        let kid: String
        let key = P256.Signing.PrivateKey()

        var jwk: String {
            let point = key.publicKey.x963Representation
            return #"{"kty":"EC","crv":"P-256","use":"sig","kid":"\#(kid)","x":"\#(Base64URL.encode(point.dropFirst().prefix(32)))","y":"\#(Base64URL.encode(point.suffix(32)))"}"#
        }

        func token(sub: String = "user-1", expiresIn: Int64 = 300) -> String {
            let now = Int64(Date().timeIntervalSince1970)
            let header = #"{"alg":"ES256","typ":"JWT","kid":"\#(kid)"}"#
            let claims = #"{"iss":"https://issuer.test","aud":"api","sub":"\#(sub)","iat":\#(now),"exp":\#(now + expiresIn),"scope":"read"}"#
            let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
            return input + "." + Base64URL.encode(Array(try! key.signature(for: Array(input.utf8)).rawRepresentation))
        }
    }

    static func jwks(_ keys: [SigningKey]) -> String {
        #"{"keys":["# + keys.map(\.jwk).joined(separator: ",") + "]}"
    }

    static func config(jwksPort: Int) -> String {
        """
        jwt main {
            issuer https://issuer.test;
            audience api;
            algorithms ES256;
            jwks_url http://127.0.0.1:\(jwksPort)/jwks.json;
            jwks_cooldown 0s;
            forward_claim sub X-User;
        }
        route /api/* { proxy app; auth jwt main; }
        route /admin/* { proxy app; auth jwt main; require_scope admin; }

        """
    }

    static func get(_ path: String, token: String?, extra: String = "", gateway: TestGateway, group: any EventLoopGroup) async throws -> RawClient.Response {
        let auth = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let result = try await RawClient.send(["GET \(path) HTTP/1.1\r\nHost: a\r\n\(auth)\(extra)\r\n"], port: gateway.port, group: group, timeout: .seconds(5))
        return try #require(result.responses.first)
    }

    @Test func tokensAreVerifiedAgainstARotatingJWKS() async throws {
        let first = SigningKey(kid: "k1"), second = SigningKey(kid: "k2")
        let published = NIOLockedValueBox(Self.jwks([first]))
        let jwksGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let jwksServer = try await TestUpstream(group: jwksGroup) { _ in
            .init(headers: [("Content-Type", "application/json")], body: published.withLockedValue { $0 })
        }
        try await withConfiguredGateway({ _ in Self.config(jwksPort: jwksServer.port) }) { upstream, gateway, group in
            let source = try #require(gateway.server.plan.remoteDocuments.first as? JWKSKeySource)
            // The gateway fetched the key set before it started listening.
            #expect(jwksServer.requestCount == 1)

            let valid = try await Self.get("/api/orders", token: first.token(), extra: "X-User: admin\r\n", gateway: gateway, group: group)
            #expect(valid.status == 200)
            #expect(upstream.requests.last?.head.headers["X-User"] == ["user-1"])
            #expect(upstream.requests.last?.head.headers["Authorization"].first?.hasPrefix("Bearer ") == true)

            let missing = try await Self.get("/api/orders", token: nil, gateway: gateway, group: group)
            #expect(missing.status == 401)
            #expect(missing.header("WWW-Authenticate") == #"Bearer realm="gateway""#)
            let expired = try await Self.get("/api/orders", token: first.token(expiresIn: -120), gateway: gateway, group: group)
            #expect(expired.status == 401)
            #expect(expired.header("WWW-Authenticate") == #"Bearer realm="gateway", error="invalid_token""#)
            #expect(expired.body.contains(#""code":"invalid_token""#))
            #expect(expired.header("X-Content-Type-Options") == "nosniff")
            let forged = try await Self.get("/api/orders", token: SigningKey(kid: "k1").token(), gateway: gateway, group: group)
            #expect(forged.status == 401)
            #expect(!forged.body.contains("signature"), "the reason stays in the log")
            let scope = try await Self.get("/admin/x", token: first.token(), gateway: gateway, group: group)
            #expect(scope.status == 403)
            #expect(scope.header("WWW-Authenticate")?.contains(#"error="insufficient_scope", scope="admin""#) == true)
            #expect(upstream.requestCount == 1)

            // Rotation: the issuer publishes k2 and signs with it. The first token with the new
            // kid asks for an early fetch; once that is in, k2 tokens pass.
            published.withLockedValue { $0 = Self.jwks([first, second]) }
            let refreshed = source.nextUpdate(on: group.next())
            let early = try await Self.get("/api/orders", token: second.token(sub: "user-2"), gateway: gateway, group: group)
            #expect(early.status == 401)
            try await refreshed.get()
            let rotated = try await Self.get("/api/orders", token: second.token(sub: "user-2"), gateway: gateway, group: group)
            #expect(rotated.status == 200)
            #expect(upstream.requests.last?.head.headers["X-User"] == ["user-2"])

            // Outage: the JWKS endpoint goes away; the last good key set stays in use.
            try await jwksServer.stop()
            let failed = source.nextUpdate(on: group.next())
            let unknown = SigningKey(kid: "k3")
            #expect(try await Self.get("/api/orders", token: unknown.token(), gateway: gateway, group: group).status == 401)
            try await failed.get()
            #expect(source.lastError != nil)
            #expect(try await Self.get("/api/orders", token: first.token(), gateway: gateway, group: group).status == 200)
            #expect(try await Self.get("/api/orders", token: second.token(), gateway: gateway, group: group).status == 200)
        }
        try await jwksGroup.shutdownGracefully()
    }

    @Test func noKeySetEverObtainedAnswers503() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let dead = try RefusingPort()
        try await withConfiguredGateway({ _ in Self.config(jwksPort: dead.port) }) { upstream, gateway, clientGroup in
            let source = try #require(gateway.server.plan.remoteDocuments.first as? JWKSKeySource)
            #expect(source.keys == nil)
            #expect(source.lastError != nil)
            let response = try await Self.get("/api/orders", token: SigningKey(kid: "k1").token(), gateway: gateway, group: clientGroup)
            #expect(response.status == 503)
            #expect(response.body.contains("auth_unavailable"))
            #expect(upstream.requestCount == 0)
        }
        try await group.shutdownGracefully()
        withExtendedLifetime(dead) {}
    }

    @Test func staticKeysFromFilesAndSecrets() async throws {
        let key = SigningKey(kid: "file-key")
        let files = ["keys/public.pem": key.key.publicKey.pemRepresentation]
        let config = """
            jwt files {
                issuer https://issuer.test;
                algorithms ES256;
                key_file keys/public.pem kid=file-key;
            }
            route /api/* { proxy app; auth jwt files; }

            """
        try await withConfiguredGateway(files: files, { _ in config }) { _, gateway, group in
            let signed = try await Self.get("/api/x", token: key.token(), gateway: gateway, group: group)
            #expect(signed.status == 200)
            let otherKey = try await Self.get("/api/x", token: SigningKey(kid: "file-key").token(), gateway: gateway, group: group)
            #expect(otherKey.status == 401)
        }
    }
}
