import GatewayCore
import GatewayPolicies
import GatewayServer
import GatewayTestSupport
import NIOCore
import Testing

/// The cache from the operator's side, through the real server: entries that survive a reload,
/// purging through the admin listener and its client, and PURGE where `cache_purge` allows it.
@Suite("Response cache operations") struct CacheOperationsTests {
    static let token = "cache-admin-token-0123456789"

    static func config(upstream: Int, maxSize: String = "1m", version: String = "one") -> String {
        """
        worker_threads 2;
        access_log off;
        listen 127.0.0.1:0;
        admin 127.0.0.1:0 { token "${ADMIN_TOKEN}"; }
        upstream app { server 127.0.0.1:\(upstream); }
        cache c { max_size \(maxSize); }
        route /version { respond 200 "\(version)"; }
        route /locked/* { methods GET; proxy app; cache c; cache_purge 10.0.0.0/8; }
        route /* { proxy app; cache c; cache_purge 127.0.0.1; }
        """
    }

    static func withGateway(_ body: (TestGateway, ConfigFile, KeepAliveClient, KeepAliveClient, TestUpstream) async throws -> Void) async throws {
        try await withAdminGateway(
            token: Self.token, config: { Self.config(upstream: $0) },
            upstream: { request in .init(headers: [("Cache-Control", "max-age=600")], body: "body of \(request.head.uri)") }, body)
    }

    static var bearer: [(String, String)] { [("Authorization", "Bearer \(token)")] }

    static func isHit(_ response: KeepAliveClient.Response) -> Bool {
        response.headers.first(name: "Cache-Status")?.hasPrefix("c; hit") == true
    }

    @Test func entriesSurviveAReloadOfAnUnrelatedChangeAndAChangedSizeStartsAfresh() async throws {
        try await Self.withGateway { gateway, file, _, proxy, upstream in
            #expect(try await proxy.request(path: "/page").status == 200)
            #expect(Self.isHit(try await proxy.request(path: "/page")))
            #expect(upstream.requestCount == 1)

            try file.write(Self.config(upstream: upstream.port, version: "two"))
            guard case .reloaded = await gateway.server.reload() else {
                Issue.record("reload refused")
                return
            }
            #expect(try await proxy.request(path: "/version").body == "two")
            let afterReload = try await proxy.request(path: "/page")
            #expect(Self.isHit(afterReload), "\(afterReload.headers)")
            #expect(upstream.requestCount == 1)

            try file.write(Self.config(upstream: upstream.port, maxSize: "2m", version: "two"))
            guard case .reloaded = await gateway.server.reload() else {
                Issue.record("reload refused")
                return
            }
            let resized = try await proxy.request(path: "/page")
            #expect(resized.headers.first(name: "Cache-Status") == "c; fwd=uri-miss; stored")
            #expect(upstream.requestCount == 2)
        }
    }

    @Test func purgeByURLAndByPrefixThroughTheAdminListener() async throws {
        try await Self.withGateway { _, _, admin, proxy, upstream in
            for path in ["/a/1", "/a/2?x=1", "/b/1"] { _ = try await proxy.request(path: path) }
            #expect(upstream.requestCount == 3)

            #expect(try await admin.request(.POST, path: "/cache/purge?url=test.local/a/1").status == 401)
            let byURL = try await admin.request(.POST, path: "/cache/purge?url=http%3A%2F%2FTest.Local%3A8080%2Fa%2F1", headers: Self.bearer)
            #expect(byURL.status == 200)
            #expect(byURL.body == #"{"purged":1,"caches":{"c":1}}"# + "\n")
            #expect(!Self.isHit(try await proxy.request(path: "/a/1")))
            #expect(upstream.requestCount == 4)
            #expect(Self.isHit(try await proxy.request(path: "/a/2?x=1")))

            let byPrefix = try await admin.request(.POST, path: "/cache/purge?prefix=/a/&cache=c", headers: Self.bearer)
            #expect(byPrefix.body == #"{"purged":2,"caches":{"c":2}}"# + "\n")
            #expect(!Self.isHit(try await proxy.request(path: "/a/2?x=1")))
            #expect(Self.isHit(try await proxy.request(path: "/b/1")))
            let nothing = try await admin.request(.POST, path: "/cache/purge?url=test.local/none", headers: Self.bearer)
            #expect(nothing.body == #"{"purged":0,"caches":{"c":0}}"# + "\n")

            let both = try await admin.request(.POST, path: "/cache/purge?url=/a&prefix=/a", headers: Self.bearer)
            #expect(both.status == 400)
            let unknown = try await admin.request(.POST, path: "/cache/purge?prefix=/&cache=nope", headers: Self.bearer)
            #expect(unknown.status == 404)
            #expect(try await admin.request(path: "/cache/purge?prefix=/", headers: Self.bearer).status == 405)
        }
    }

    @Test func theCommandLineClientPurges() async throws {
        try await Self.withGateway { gateway, _, _, proxy, upstream in
            _ = try await proxy.request(path: "/cli/1")
            _ = try await proxy.request(path: "/cli/2")
            var admin = try #require(gateway.server.plan.settings.admin)
            admin.listener.port = try #require(gateway.server.adminAddress?.port)
            let one = try await AdminClient.purgeCache(admin, url: "test.local/cli/1", prefix: nil, cache: nil)
            #expect(one.status == 200)
            #expect(one.body == #"{"purged":1,"caches":{"c":1}}"# + "\n")
            let rest = try await AdminClient.purgeCache(admin, url: nil, prefix: "test.local/cli/", cache: "c")
            #expect(rest.body == #"{"purged":1,"caches":{"c":1}}"# + "\n")
            #expect(!Self.isHit(try await proxy.request(path: "/cli/2")))
            #expect(upstream.requestCount == 3)
        }
    }

    @Test func purgeMethodFromAllowedAddressesOnly() async throws {
        try await Self.withGateway { _, _, _, proxy, upstream in
            _ = try await proxy.request(path: "/p/1?v=1")
            #expect(Self.isHit(try await proxy.request(path: "/p/1?v=1")))
            let purged = try await proxy.request(.PURGE, path: "/p/1?v=1")
            #expect(purged.status == 200)
            #expect(purged.body == #"{"purged":1}"#)
            #expect(!Self.isHit(try await proxy.request(path: "/p/1?v=1")))

            _ = try await proxy.request(path: "/locked/1")
            #expect(Self.isHit(try await proxy.request(path: "/locked/1")))
            // The route lists only GET, and admits PURGE for cache_purge; 127.0.0.1 is not listed.
            let refused = try await proxy.request(.PURGE, path: "/locked/1")
            #expect(refused.status == 403)
            #expect(Self.isHit(try await proxy.request(path: "/locked/1")))
            #expect(upstream.requests.allSatisfy { $0.head.method == .GET })
            #expect(upstream.requestCount == 3)
        }
    }
}
