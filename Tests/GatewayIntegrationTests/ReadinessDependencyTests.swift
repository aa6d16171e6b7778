import Foundation
import GatewayTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

/// `/readyz` with the gateway's dependencies: a real Redis that dies, a JWKS server that starts
/// failing, a JWKS URL nobody answers. Failures the gateway cannot work around answer 503; the
/// others keep it ready and mark it degraded.
@Suite("Readiness with dependencies") struct ReadinessDependencyTests {
    struct Readiness {
        var status: Int
        var body: String
        var json: [String: Any]

        var dependencies: [[String: Any]] { json["dependencies"] as? [[String: Any]] ?? [] }

        func dependency(_ type: String) -> [String: Any]? { dependencies.first { $0["type"] as? String == type } }
    }

    static func readiness(_ gateway: TestGateway, group: any EventLoopGroup) async throws -> Readiness {
        let port = try #require(gateway.server.adminAddress?.port)
        let client = try await KeepAliveClient.connect(port: port, group: group)
        let response = try await client.request(path: "/readyz")
        await client.close()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
        return Readiness(status: Int(response.status), body: response.body, json: json)
    }

    /// Polls `/readyz` (bounded: 400 × 50 ms) until `condition` holds.
    static func readiness(
        _ gateway: TestGateway, group: any EventLoopGroup, until condition: (Readiness) -> Bool
    ) async throws -> Readiness {
        var last = try await readiness(gateway, group: group)
        for _ in 0..<400 where !condition(last) {
            try await Task.sleep(nanoseconds: 50_000_000)
            last = try await readiness(gateway, group: group)
        }
        return last
    }

    @Test func aRedisStoreDownUnderOnStoreErrorClosedMakesTheGatewayNotReady() async throws {
        let redisGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let redis = try await TestRedis(group: redisGroup)
        try await withConfiguredGateway({ _ in
            """
            admin 127.0.0.1:0;
            redis \(redis.url) { timeout 500ms; }
            rate_limit strict { rate 100/s; burst 100; store redis; on_store_error closed; }
            rate_limit lenient { rate 100/s; burst 100; store redis; on_store_error open; }
            route /strict/* { proxy app; rate_limit strict; }
            route /* { proxy app; rate_limit lenient; }
            """
        }) { _, gateway, group in
            let up = try await Self.readiness(gateway, group: group) { $0.dependency("redis")?["state"] as? String == "up" }
            #expect(up.status == 200, "\(up.body)")
            #expect(up.json["ready"] as? Bool == true)
            #expect(up.json["degraded"] as? Bool == false)
            let store = try #require(up.dependency("redis"))
            #expect(store["name"] as? String == redis.url)
            #expect(store["required"] as? Bool == true)
            #expect(store["limits"] as? [String] == ["lenient", "strict"])
            #expect((store["connections"] as? Int ?? 0) >= 1)
            #expect(store["since"] is String)

            redis.kill()
            let down = try await Self.readiness(gateway, group: group) { $0.dependency("redis")?["state"] as? String == "down" }
            #expect(down.status == 503, "\(down.body)")
            #expect(down.json["ready"] as? Bool == false)
            #expect(down.dependency("redis")?["last_error"] is String)
            #expect(down.dependency("redis")?["connections"] as? Int == 0)
        }
        redis.kill()
        try await redisGroup.shutdownGracefully()
    }

    @Test func aRedisStoreDownUnderOpenLimitsLeavesTheGatewayReadyButDegraded() async throws {
        let refusing = try RefusingPort()
        try await withConfiguredGateway({ _ in
            """
            admin 127.0.0.1:0;
            redis redis://127.0.0.1:\(refusing.port)/0 { timeout 200ms; instances 2; }
            rate_limit shared { rate 100/s; burst 100; store redis; on_store_error local; }
            rate_limit other { rate 100/s; burst 100; store redis; on_store_error open; }
            route /* { proxy app; rate_limit shared; rate_limit other; }
            """
        }) { _, gateway, group in
            let ready = try await Self.readiness(gateway, group: group) { $0.dependency("redis")?["last_error"] is String }
            #expect(ready.status == 200, "\(ready.body)")
            #expect(ready.json["ready"] as? Bool == true)
            #expect(ready.json["degraded"] as? Bool == true)
            #expect(ready.dependency("redis")?["state"] as? String == "down")
            #expect(ready.dependency("redis")?["required"] as? Bool == false)
        }
    }

    @Test func aJWKSURLThatStopsAnsweringTurnsStaleAndTheGatewayStaysReady() async throws {
        let key = JWTAuthTests.SigningKey(kid: "k1")
        let failing = NIOLockedValueBox(false)
        let jwksGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let jwksServer = try await TestUpstream(group: jwksGroup) { _ in
            failing.withLockedValue { $0 }
                ? .init(status: .internalServerError, body: "down")
                : .init(headers: [("Content-Type", "application/json")], body: JWTAuthTests.jwks([key]))
        }
        try await withConfiguredGateway({ _ in
            """
            admin 127.0.0.1:0;
            jwt main {
                issuer https://issuer.test;
                algorithms ES256;
                jwks_url http://127.0.0.1:\(jwksServer.port)/jwks.json?api_key=hidden;
                jwks_refresh 1s;
            }
            route /api/* { proxy app; auth jwt main; }
            """
        }) { _, gateway, group in
            let ok = try await Self.readiness(gateway, group: group)
            #expect(ok.status == 200, "\(ok.body)")
            let source = try #require(ok.dependency("jwks"))
            #expect(source["state"] as? String == "ok")
            #expect(source["keys"] as? Int == 1)
            #expect(source["issuer"] as? String == "main")
            #expect(source["required"] as? Bool == true)
            #expect(source["age_seconds"] is Double || source["age_seconds"] is Int)
            #expect(source["name"] as? String == "http://127.0.0.1:\(jwksServer.port)/jwks.json?(redacted)")
            #expect(!ok.body.contains("hidden"))

            failing.withLockedValue { $0 = true }
            let stale = try await Self.readiness(gateway, group: group) { $0.dependency("jwks")?["state"] as? String == "stale" }
            #expect(stale.status == 200, "\(stale.body)")
            #expect(stale.json["degraded"] as? Bool == true)
            #expect(stale.dependency("jwks")?["keys"] as? Int == 1)
            #expect(stale.dependency("jwks")?["last_error"] is String)
        }
        try await jwksServer.stop()
        try await jwksGroup.shutdownGracefully()
    }

    @Test func aJWKSURLThatNeverGaveKeysMakesTheGatewayNotReadyUnlessTheIssuerHasOtherKeys() async throws {
        let refusing = try RefusingPort()
        let secret = String(repeating: "s", count: 32)
        for (staticKey, expected) in [("", 503), ("secret \(secret);", 200)] {
            try await withConfiguredGateway({ _ in
                """
                admin 127.0.0.1:0;
                jwt main {
                    issuer https://issuer.test;
                    algorithms ES256 HS256;
                    jwks_url http://127.0.0.1:\(refusing.port)/jwks.json;
                    \(staticKey)
                }
                route /api/* { proxy app; auth jwt main; }
                """
            }) { _, gateway, group in
                let readiness = try await Self.readiness(gateway, group: group)
                #expect(readiness.status == expected, "\(readiness.body)")
                #expect(readiness.dependency("jwks")?["state"] as? String == "never")
                #expect(readiness.dependency("jwks")?["keys"] as? Int == 0)
                #expect(readiness.dependency("jwks")?["required"] as? Bool == (expected == 503))
                #expect(readiness.json["degraded"] as? Bool == (expected == 200))
            }
        }
    }
}
