import Foundation
import GatewayCore
import GatewayServer
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// The admin listener through the real server: probes open, everything else behind the bearer
/// token, the effective plan without secrets, reloads with their outcome, and `/metrics` read by
/// the Prometheus project's own text parser.
@Suite("Admin listener") struct AdminEndpointTests {
    static let token = "s3cret-admin-token-0123456789"

    static func config(upstream: Int, body: String = "one", extra: String = "") -> String {
        """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0;
        admin 127.0.0.1:0 { token "${ADMIN_TOKEN}"; }
        upstream app { server 127.0.0.1:\(upstream); }\(extra.isEmpty ? "" : "\n" + extra)
        route /version { respond 200 "\(body)"; }
        route /private/* { proxy app; deny 127.0.0.0/8; }
        route /* { proxy app; }
        """
    }

    static func withAdmin(
        extra: (Int) -> String = { _ in "" }, _ body: (TestGateway, ConfigFile, KeepAliveClient, KeepAliveClient, Int) async throws -> Void
    ) async throws {
        try await withAdminGateway(token: Self.token, config: { Self.config(upstream: $0, extra: extra($0)) }, upstream: { _ in .init(body: "up") }) {
            gateway, file, admin, proxy, upstream in
            try await body(gateway, file, admin, proxy, upstream.port)
        }
    }

    static var bearer: [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test func probesAreOpenAndEverythingElseWantsTheToken() async throws {
        try await Self.withAdmin { gateway, _, admin, _, _ in
            let health = try await admin.request(path: "/healthz")
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            let ready = try await admin.request(path: "/readyz")
            #expect(ready.status == 200)
            #expect(ready.body.contains(#""ready":true"#))
            #expect(ready.body.contains(#""generation":1"#))
            for path in ["/metrics", "/config"] {
                let missing = try await admin.request(path: path)
                #expect(missing.status == 401)
                #expect(missing.headers.first(name: "WWW-Authenticate") == #"Bearer realm="gateway-admin""#)
                let wrong = try await admin.request(path: path, headers: [("Authorization", "Bearer \(Self.token)x")])
                #expect(wrong.status == 401)
                #expect(try await admin.request(path: path, headers: Self.bearer).status == 200)
            }
            #expect(try await admin.request(.POST, path: "/reload").status == 401)
            #expect(gateway.server.reloadStatus.generation == 1)
            let wrongMethod = try await admin.request(path: "/reload", headers: Self.bearer)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers.first(name: "Allow") == "POST")
            #expect(try await admin.request(path: "/nothing", headers: Self.bearer).status == 404)
        }
    }

    @Test func configShowsTheEffectivePlanWithoutSecrets() async throws {
        try await Self.withAdmin { _, file, admin, _, _ in
            let config = try await admin.request(path: "/config", headers: Self.bearer)
            #expect(config.status == 200)
            #expect(config.body.contains("files: \(file.path)"))
            #expect(config.body.contains("admin: 127.0.0.1:0 at \(file.path):4:7, token (set)"))
            #expect(!config.body.contains(Self.token))
        }
    }

    @Test func reloadAnswersWithTheGenerationOrTheErrors() async throws {
        try await Self.withAdmin { gateway, file, admin, proxy, upstream in
            try file.write(Self.config(upstream: upstream, body: "two"))
            let reloaded = try await admin.request(.POST, path: "/reload", headers: Self.bearer)
            #expect(reloaded.status == 200)
            #expect(reloaded.body.contains(#""status":"reloaded","generation":2"#))
            #expect(try await proxy.request(path: "/version").body == "two")

            try file.write(Self.config(upstream: upstream, body: "three") + "\nroute /bad { proxy missing; }\n")
            let refused = try await admin.request(.POST, path: "/reload", headers: Self.bearer)
            #expect(refused.status == 422)
            #expect(refused.body.contains(#""status":"refused","generation":2"#))
            #expect(refused.body.contains("\(file.path):9:"))
            #expect(try await proxy.request(path: "/version").body == "two")
            let ready = try await admin.request(path: "/readyz")
            #expect(ready.body.contains(#""failed":1"#))
            #expect(gateway.server.reloadStatus.generation == 2)
        }
    }

    /// Cache, a Redis rate limit whose store refuses connections, and a JWKS URL that answers no
    /// key set: the series of those parts.
    static func dependencies(upstream: Int, redis: Int) -> String {
        """
        cache pages { max_size 1m; default_ttl 1m; }
        redis redis://127.0.0.1:\(redis)/0 { timeout 200ms; }
        rate_limit shared { rate 100/s; burst 100; store redis; on_store_error open; }
        jwt idp { issuer https://issuer.test; algorithms ES256; jwks_url http://127.0.0.1:\(upstream)/jwks.json; }
        route /cached/* { proxy app; cache pages; }
        route /limited/* { proxy app; rate_limit shared; }
        """
    }

    @Test func metricsParseWithThePrometheusClientParser() async throws {
        let redis = try RefusingPort()
        try await Self.withAdmin(extra: { Self.dependencies(upstream: $0, redis: redis.port) }) { gateway, file, admin, proxy, upstream in
            #expect(try await proxy.request(path: "/cached/a").status == 200)
            #expect(try await proxy.request(path: "/cached/a").status == 200)
            #expect(try await proxy.request(.POST, path: "/cached/a", body: "x").status == 200)
            #expect(try await proxy.request(path: "/limited/a").status == 200)
            #expect(try await proxy.request(path: "/items").status == 200)
            #expect(try await proxy.request(.POST, path: "/items", body: "hello").status == 200)
            #expect(try await proxy.request(path: "/private/x").status == 403)
            #expect(try await proxy.request(path: "/version").status == 200)
            try file.write("broken {")
            #expect(try await admin.request(.POST, path: "/reload", headers: Self.bearer).status == 422)
            try file.write(Self.config(upstream: upstream, extra: Self.dependencies(upstream: upstream, redis: redis.port)))
            #expect(try await admin.request(.POST, path: "/reload", headers: Self.bearer).status == 200)

            let metrics = try await admin.request(path: "/metrics", headers: Self.bearer)
            #expect(metrics.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = try PrometheusParser.parse(metrics.body)
            func value(_ name: String, _ labels: [String: String]) -> Double? {
                samples.first { $0.name == name && $0.labels == labels }?.value
            }
            #expect(value("gateway_requests_total", ["route": "/*", "method": "GET", "status": "2xx"]) == 1)
            #expect(value("gateway_requests_total", ["route": "/*", "method": "POST", "status": "2xx"]) == 1)
            #expect(value("gateway_requests_total", ["route": "/private/*", "method": "GET", "status": "4xx"]) == 1)
            #expect(value("gateway_request_duration_seconds_count", ["route": "/*"]) == 2)
            #expect(value("gateway_request_duration_seconds_bucket", ["route": "/*", "le": "+Inf"]) == 2)
            #expect(value("gateway_upstream_duration_seconds_count", ["route": "/*"]) == 2)
            #expect(value("gateway_request_body_bytes_total", ["route": "/*"]) == 5)
            #expect(value("gateway_response_body_bytes_total", ["route": "/version"]) == 3)
            #expect(value("gateway_policy_rejections_total", ["policy": "ip_rules", "error": "ip_denied", "reason": ""]) == 1)
            #expect(value("gateway_request_errors_total", ["error": "ip_denied"]) == 1)
            #expect(value("gateway_connections_active", ["listener": "127.0.0.1:\(gateway.port)", "protocol": "http/1.1"]) == 1)
            #expect(value("gateway_upstream_connect_errors_total", ["upstream": "app"]) == 0)
            #expect(value("gateway_upstream_idle_connections", ["upstream": "app"]) == 1)
            #expect(value("gateway_config_reloads_total", ["result": "ok"]) == 1)
            #expect(value("gateway_config_reloads_total", ["result": "failed"]) == 1)
            #expect(value("gateway_config_generation", [:]) == 2)

            #expect(value("gateway_upstream_active_connections", ["upstream": "app"]) == 0)
            #expect(value("gateway_upstream_pending_connects", ["upstream": "app"]) == 0)
            #expect(value("gateway_cache_requests_total", ["route": "/cached/*", "result": "miss"]) == 1)
            #expect(value("gateway_cache_requests_total", ["route": "/cached/*", "result": "hit"]) == 1)
            #expect(value("gateway_cache_requests_total", ["route": "/cached/*", "result": "bypass"]) == 1)
            #expect(value("gateway_cache_requests_total", ["route": "/cached/*", "result": "stale"]) == 0)
            #expect(value("gateway_cache_requests_total", ["route": "/*", "result": "miss"]) == nil)
            // The POST invalidated what the first GET stored.
            #expect(value("gateway_cache_entries", ["cache": "pages"]) == 0)
            #expect(value("gateway_cache_bytes", ["cache": "pages"]) == 0)
            #expect(value("gateway_rate_limit_store_errors_total", ["limit": "shared", "store": "redis"]) == 1)
            #expect(value("gateway_rate_limit_decisions_total", ["limit": "shared", "decision": "store_error_open"]) == 1)
            let source = "http://127.0.0.1:\(upstream)/jwks.json"
            #expect((value("gateway_jwks_refreshes_total", ["source": source, "result": "failed"]) ?? 0) >= 2)
            #expect(value("gateway_jwks_refreshes_total", ["source": source, "result": "ok"]) == 0)
            #expect(value("gateway_jwks_last_success_timestamp_seconds", ["source": source]) == nil)
        }
    }
}
