@testable import GatewayServer
import Testing

/// What `POST /cache/purge` reads from its query, and which stored URIs it then removes.
@Suite struct CachePurgeRequestTests {
    @Test(arguments: [
        ("url=api.example.com/a/b?x=1", CachePurgeRequest.Target.url(host: "api.example.com", rest: "/a/b?x=1"), nil as String?),
        ("url=https%3A%2F%2FAPI.Example.com%3A8443%2Fa%2F.%2Fb", .url(host: "api.example.com", rest: "/a/b"), nil),
        ("url=http://h.test", .url(host: "h.test", rest: "/"), nil),
        ("url=%2Fa%2F%2Fb%3Fq", .url(host: nil, rest: "/a/b?q"), nil),
        ("prefix=h.test/assets/&cache=pages", .prefix(host: "h.test", rest: "/assets/"), "pages"),
        ("cache=pages&prefix=/", .prefix(host: nil, rest: "/"), "pages"),
    ])
    func parses(query: String, target: CachePurgeRequest.Target, cache: String?) throws {
        let request = try CachePurgeRequest.parse(query: Substring(query)).get()
        #expect(request == CachePurgeRequest(target: target, cache: cache))
    }

    @Test(arguments: ["", "cache=c", "url=h/a&prefix=h/", "url=h/a&url=h/b", "host=h", "url=%zz", "url=", "url=h/%2e%2e/x", "url=bad host/a"])
    func refuses(query: String) {
        guard case .failure = CachePurgeRequest.parse(query: Substring(query)) else {
            Issue.record("accepted \(query)")
            return
        }
    }

    @Test func matchesStoredURIs() throws {
        let exact = try CachePurgeRequest.parse(query: "url=h.test/a?x=1").get()
        #expect(exact.exactURI == "h.test/a?x=1")
        #expect(exact.matches("h.test/a?x=1"))
        #expect(!exact.matches("h.test/a"))
        let anyHost = try CachePurgeRequest.parse(query: "url=/a").get()
        #expect(anyHost.exactURI == nil)
        #expect(anyHost.matches("h.test/a") && anyHost.matches("other.test/a"))
        #expect(!anyHost.matches("h.test/a/b"))
        let prefix = try CachePurgeRequest.parse(query: "prefix=h.test/a").get()
        #expect(prefix.matches("h.test/a") && prefix.matches("h.test/ab?x") && !prefix.matches("h.testx/a") && !prefix.matches("g.test/a"))
        let pathPrefix = try CachePurgeRequest.parse(query: "prefix=/img/").get()
        #expect(pathPrefix.matches("h.test/img/1.png") && !pathPrefix.matches("h.test/imgs/1.png"))
    }

    @Test func theQueryItWritesIsTheOneItReads() throws {
        let query = CachePurgeRequest.query(url: "https://h.test/a?x=1&y=%41", prefix: nil, cache: "c d")
        #expect(query == "url=https%3A%2F%2Fh.test%2Fa%3Fx%3D1%26y%3D%2541&cache=c%20d")
        let request = try CachePurgeRequest.parse(query: Substring(query)).get()
        #expect(request == CachePurgeRequest(target: .url(host: "h.test", rest: "/a?x=1&y=%41"), cache: "c d"))
    }
}
