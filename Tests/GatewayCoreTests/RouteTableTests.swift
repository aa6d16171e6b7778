import GatewayCore
import Testing

/// A route whose static body names it, so a match can be compared by name.
private func route(_ name: String, hosts: [String] = [], _ path: PathPattern, methods: Set<String>? = nil) -> Route {
    Route(
        hosts: hosts.map { HostPattern(parsing: $0)! }, path: path, methods: methods,
        action: .respond(StaticResponse(status: 200, body: name)))
}

/// `name` of the matched route, `405 A,B` or `404`.
private func outcome(_ table: RouteTable, host: String, path: String, method: String = "GET") -> String {
    switch table.match(host: host, path: Substring(path), method: method) {
    case .matched(let route):
        guard case .respond(let response) = route.action else { return "?" }
        return response.body
    case .methodNotAllowed(let allowed): return "405 " + allowed.joined(separator: ",")
    case .notFound: return "404"
    }
}

struct RouteTableTests {
    // MARK: Host tiers

    static let tiers = RouteTable(routes: [
        route("any", .prefix("/")),
        route("wildcard", hosts: ["*.example.com"], .prefix("/")),
        route("exact", hosts: ["api.example.com"], .prefix("/")),
        route("nested-wildcard", hosts: ["*.api.example.com"], .prefix("/")),
        route("two-hosts", hosts: ["a.test", "*.b.test"], .prefix("/")),
    ])

    @Test(arguments: [
        ("api.example.com", "exact"),
        ("www.example.com", "wildcard"),
        ("api-2.example.com", "wildcard"),
        ("example.com", "any"),
        ("a.b.example.com", "any"),
        ("example.com.evil.net", "any"),
        ("evilexample.com", "any"),
        (".example.com", "any"),
        ("v1.api.example.com", "nested-wildcard"),
        ("x.v1.api.example.com", "any"),
        ("other.org", "any"),
        ("a.test", "two-hosts"),
        ("x.b.test", "two-hosts"),
        ("b.test", "any"),
        ("", "any"),
    ])
    func exactHostBeatsWildcardBeatsAnyHost(host: String, expected: String) {
        #expect(outcome(Self.tiers, host: host, path: "/x") == expected)
    }

    // MARK: Paths within a tier

    static let paths = RouteTable(routes: [
        route("root", .prefix("/")),
        route("prefix-api", .prefix("/api")),
        route("exact-api", .exact("/api")),
        route("prefix-api-v1", .prefix("/api/v1/")),
        route("exact-status", .exact("/api/v1/status")),
        route("prefix-static", .prefix("/static/")),
    ])

    @Test(arguments: [
        ("/api", "exact-api"),
        ("/api/", "prefix-api"),
        ("/apix", "prefix-api"),
        ("/api/v1", "prefix-api"),
        ("/api/v1/", "prefix-api-v1"),
        ("/api/v1/users", "prefix-api-v1"),
        ("/api/v1/status", "exact-status"),
        ("/api/v1/status/", "prefix-api-v1"),
        ("/static/app.js", "prefix-static"),
        ("/static", "root"),
        ("/", "root"),
        ("/other", "root"),
        ("*", "404"),
    ])
    func exactPathBeatsLongestPrefix(path: String, expected: String) {
        #expect(outcome(Self.paths, host: "h", path: path) == expected)
    }

    // MARK: Fallthrough

    static let layered = RouteTable(routes: [
        route("exact-special", hosts: ["api.example.com"], .exact("/special")),
        route("wildcard-w", hosts: ["*.example.com"], .prefix("/w/")),
        route("any-root", .prefix("/")),
    ])

    @Test(arguments: [
        ("api.example.com", "/special", "exact-special"),
        ("api.example.com", "/special/", "any-root"),
        ("api.example.com", "/w/x", "wildcard-w"),
        ("api.example.com", "/other", "any-root"),
        ("www.example.com", "/w/x", "wildcard-w"),
        ("www.example.com", "/special", "any-root"),
        ("other.org", "/w/x", "any-root"),
    ])
    func fallsThroughToLessSpecificHostTiers(host: String, path: String, expected: String) {
        #expect(outcome(Self.layered, host: host, path: path) == expected)
    }

    @Test func hostOnlyTableAnswers404ForOtherHosts() {
        let table = RouteTable(routes: [route("only", hosts: ["a.example"], .prefix("/"))])
        #expect(outcome(table, host: "a.example", path: "/x") == "only")
        #expect(outcome(table, host: "b.example", path: "/x") == "404")
    }

    @Test(arguments: ["[2001:db8::1]", "[2001:DB8:0::1]:8443", "[2001:0db8:0:0:0:0:0:1]"])
    func ipv6RouteHostMatchesTheNormalisedHost(hostHeader: String) throws {
        let table = RouteTable(routes: [route("v6", hosts: ["[2001:DB8:0:0::1]"], .prefix("/")), route("any", .prefix("/"))])
        let host = try #require(RequestValidator.normalizedHost(hostHeader))
        #expect(outcome(table, host: host, path: "/") == "v6")
    }

    @Test func emptyTableAnswers404() {
        #expect(outcome(RouteTable(routes: []), host: "h", path: "/") == "404")
    }

    // MARK: Methods

    static let methods = RouteTable(routes: [
        route("items-get", .exact("/items"), methods: ["GET", "HEAD"]),
        route("items-write", .exact("/items"), methods: ["POST", "DELETE"]),
        route("admin", .prefix("/admin/"), methods: ["PUT"]),
        route("k-exact", .exact("/k"), methods: ["GET"]),
        route("k-prefix", .prefix("/k"), methods: ["POST"]),
        route("h-x", hosts: ["h.example"], .exact("/x"), methods: ["GET"]),
        route("any-x", .exact("/x"), methods: ["POST"]),
        route("open", .prefix("/open/")),
    ])

    @Test(arguments: [
        ("h", "/items", "GET", "items-get"),
        ("h", "/items", "HEAD", "items-get"),
        ("h", "/items", "POST", "items-write"),
        ("h", "/items", "DELETE", "items-write"),
        ("h", "/items", "PATCH", "405 DELETE,GET,HEAD,POST"),
        ("h", "/items", "get", "405 DELETE,GET,HEAD,POST"),
        ("h", "/admin/x", "PUT", "admin"),
        ("h", "/admin/x", "GET", "405 PUT"),
        ("h", "/k", "GET", "k-exact"),
        ("h", "/k", "POST", "k-prefix"),
        ("h", "/k", "DELETE", "405 GET,POST"),
        ("h", "/kb", "GET", "405 POST"),
        // the union spans host tiers; a later tier may still allow the method
        ("h.example", "/x", "GET", "h-x"),
        ("h.example", "/x", "POST", "any-x"),
        ("h.example", "/x", "PUT", "405 GET,POST"),
        ("other", "/x", "GET", "405 POST"),
        ("h", "/open/x", "ANYTHING", "open"),
        ("h", "/nothing", "GET", "404"),
    ])
    func methodsNarrowTheMatch(host: String, path: String, method: String, expected: String) {
        #expect(outcome(Self.methods, host: host, path: path, method: method) == expected)
    }

    @Test func keepsRoutesInConfigurationOrder() {
        #expect(Self.paths.routes.map(\.name) == ["/*", "/api*", "/api", "/api/v1/*", "/api/v1/status", "/static/*"])
    }
}
