import GatewayCore
@testable import GatewayServer
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// Looking upstream server names up again: the bookkeeping with a resolver the test controls,
/// then the real server resolving `localhost` and swapping addresses in.
@Suite("Upstream name resolution") struct UpstreamResolutionTests {
    struct NoSuchHost: Error, CustomStringConvertible {
        var description: String { "no such host" }
    }

    static let spec = UpstreamSpec(name: "app", servers: [UpstreamServer(host: "api.internal", port: 8080), UpstreamServer(host: "10.0.0.9", port: 80)])

    static func address(_ ip: String, _ port: Int = 8080) throws -> SocketAddress { try SocketAddress(ipAddress: ip, port: port) }

    /// A new address is reported with all of the upstream's addresses; a failed lookup keeps the
    /// last good one and is reported once until the name resolves again; IP literals are never
    /// looked up.
    @Test func changesAndFailuresAreReportedOnce() throws {
        let steady = try Self.address("10.0.0.9", 80)
        var book = UpstreamAddressBook([Self.spec: [try Self.address("10.0.0.1"), steady]])
        var answer: Result<SocketAddress, NoSuchHost> = .success(try Self.address("10.0.0.1"))
        var looked: [String] = []
        func refresh() -> [UpstreamAddressBook.Event] {
            book.refresh { host, port in
                looked.append("\(host):\(port)")
                return try answer.get()
            }
        }
        #expect(refresh() == [])
        #expect(looked == ["api.internal:8080"])

        answer = .success(try Self.address("10.0.0.2"))
        #expect(refresh() == [.changed(Self.spec, addresses: [try Self.address("10.0.0.2"), steady])])
        #expect(book.addresses[Self.spec] == [try Self.address("10.0.0.2"), steady])

        answer = .failure(NoSuchHost())
        #expect(refresh() == [.failing(upstream: "app", server: "api.internal:8080", error: "no such host")])
        #expect(refresh() == [], "a failure goes on without another report")
        #expect(book.addresses[Self.spec] == [try Self.address("10.0.0.2"), steady], "the last good address stays")

        answer = .success(try Self.address("10.0.0.3"))
        #expect(
            refresh() == [
                .recovered(upstream: "app", server: "api.internal:8080"),
                .changed(Self.spec, addresses: [try Self.address("10.0.0.3"), steady]),
            ])
        #expect(book.lookups["app"] == UpstreamAddressBook.Lookups(succeeded: 3, failed: 2))
    }

    /// Upstreams of IP literals only are never looked up; a reload's addresses replace the book.
    @Test func literalsAreNeverLookedUpAndReloadsReplace() throws {
        let literal = UpstreamSpec(name: "ip", servers: [UpstreamServer(host: "10.0.0.1", port: 80)])
        var book = UpstreamAddressBook([literal: [try Self.address("10.0.0.1", 80)]])
        var looked = 0
        #expect(book.refresh { _, _ in looked += 1; throw NoSuchHost() } == [])
        #expect(looked == 0)
        book.replace(with: [Self.spec: [try Self.address("10.0.0.7"), try Self.address("10.0.0.9", 80)]])
        #expect(book.addresses.keys.map(\.name) == ["app"])
    }

    /// Runs `body` against a gateway serving `config`; stops it, `upstreams` and `group` after.
    static func serving(
        _ config: String, upstreams: [TestUpstream], group: MultiThreadedEventLoopGroup, _ body: (TestGateway) async throws -> Void
    ) async throws {
        let file = try ConfigFile(config)
        var failure: (any Error)?
        do {
            let gateway = try await TestGateway(file: file)
            do { try await body(gateway) } catch { failure = error }
            await gateway.stop()
        } catch {
            failure = error
        }
        file.remove()
        for upstream in upstreams { try? await upstream.stop() }
        try await group.shutdownGracefully()
        if let failure { throw failure }
    }

    /// `server localhost:PORT` serves, and its name is looked up again at `resolve_interval`.
    @Test func localhostIsLookedUpAgain() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await TestUpstream(group: group)
        let config = """
            worker_threads 1;
            access_log off;
            resolve_interval 100ms;
            listen 127.0.0.1:0;
            upstream app { server localhost:\(upstream.port); }
            route /* { proxy app; }
            """
        try await Self.serving(config, upstreams: [upstream], group: group) { gateway in
            #expect(try await get(port: gateway.port, group: group) == 200)
            #expect(try await HealthCheckTests.eventually { (gateway.server.addressRefresher.lookups["app"]?.succeeded ?? 0) >= 2 })
            let samples = try PrometheusParser.parse(await gateway.server.metricsText())
            let lookups = samples.first { $0.name == "gateway_upstream_dns_lookups_total" && $0.labels == ["upstream": "app", "result": "success"] }
            #expect((lookups?.value ?? 0) >= 2)
            #expect(try await get(port: gateway.port, group: group) == 200)
            #expect(upstream.requestCount == 2)
        }
    }

    /// New addresses for an upstream replace its pools on every loop: the next requests go to the
    /// new address (the kept-alive connection to the old one is not reused).
    @Test func newAddressesTakeTheNextRequests() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let old = try await TestUpstream(group: group) { _ in .init(body: "old") }
        let new = try await TestUpstream(group: group) { _ in .init(body: "new") }
        let config = """
            worker_threads 2;
            access_log off;
            resolve_interval off;
            listen 127.0.0.1:0;
            upstream app { server localhost:\(old.port); keepalive 8; }
            route /* { proxy app; }
            """
        try await Self.serving(config, upstreams: [old, new], group: group) { gateway in
            let client = try await KeepAliveClient.connect(port: gateway.port, group: group)
            #expect(try await client.request(path: "/").body == "old")
            let spec = try #require(gateway.server.plan.upstreams["app"])
            await gateway.server.applyAddresses([try SocketAddress(ipAddress: "127.0.0.1", port: new.port)], to: spec)
            for _ in 0..<4 { #expect(try await client.request(path: "/").body == "new") }
            #expect(try await get(port: gateway.port, group: group) == 200)
            #expect(old.requestCount == 1)
            await client.close()
        }
    }
}
