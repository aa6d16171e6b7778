import GatewayConfig
import GatewayCore
import Testing

/// `Explainer` output for requests against `Fixtures/explain/gateway.conf`, compared with
/// `Fixtures/explain/NAME.out`.
@Suite struct ExplainTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var method: String
        var url: String
        var headers: [(String, String)] = []
        var client: String? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "proxy_strip_rewrite", method: "GET", url: "http://api.example.com/api/users?id=7"),
        Case(name: "proxy_host_from_header", method: "post", url: "/api/orders", headers: [("Host", "API.example.com:8080"), ("Content-Length", "0")]),
        Case(name: "head_implied_by_get", method: "HEAD", url: "http://api.example.com/api/users"),
        // The exact-host route refuses DELETE, so the wildcard tier answers (RouteTable precedence).
        Case(name: "method_falls_through_to_wildcard", method: "DELETE", url: "http://api.example.com/api/users"),
        Case(name: "method_not_allowed", method: "DELETE", url: "http://other.test/health"),
        Case(name: "not_found", method: "GET", url: "http://other.test/nothing"),
        Case(name: "wildcard_host", method: "GET", url: "http://www.example.com/index.html"),
        Case(name: "normalised_path", method: "GET", url: "http://www.example.com/a/./b//c/../d?x=%41"),
        Case(name: "respond", method: "GET", url: "http://other.test/health"),
        Case(name: "redirect", method: "GET", url: "http://other.test/old/page?q=1"),
        Case(name: "rejected_encoded_dot", method: "GET", url: "http://other.test/%2e%2e/etc/passwd"),
        Case(name: "rejected_missing_host", method: "GET", url: "/health"),
        Case(name: "rejected_trace", method: "TRACE", url: "http://other.test/"),
        Case(name: "rate_limit_buckets", method: "GET", url: "http://api.example.com/api/users", headers: [("X-Api-Key", "k-123")], client: "203.0.113.7"),
        Case(name: "shadow_policies", method: "GET", url: "http://shadow.example.com/trial/x", client: "192.0.2.7"),
        Case(name: "rate_limit_key_fallback", method: "GET", url: "http://api.example.com/api/users", client: "2001:db8::1"),
    ]

    static let result = Fixtures.loader().load(path: "explain/gateway.conf")

    @Test(arguments: cases)
    func explain(_ c: Case) throws {
        let plan = try #require(Self.result.plan, "explain/gateway.conf must load: \(Self.result.report)")
        let output = Explainer.explain(plan: plan, method: c.method, url: c.url, headers: c.headers, client: c.client.flatMap(IPAddress.init))
        try Fixtures.expectGolden(output, path: "explain/\(c.name).out")
    }

    @Test func notFoundWhenNoRouteMatches() throws {
        guard case .success(let plan, _) = Fixtures.loader(files: ["g.conf": "listen 1; route /only { respond 200; }"]).load(path: "g.conf") else {
            Issue.record("config must load")
            return
        }
        let output = Explainer.explain(plan: plan, method: "GET", url: "http://x.test/other", headers: [])
        #expect(output.contains("route: none\nresult: 404 Not Found (route_not_found)"))
    }
}
