import GatewayCore
import Testing

struct HostPatternTests {
    @Test(arguments: [
        ("example.com", HostPattern.exact("example.com")),
        ("Example.COM", .exact("example.com")),
        ("localhost", .exact("localhost")),
        ("a-b.example", .exact("a-b.example")),
        ("under_score.example", .exact("under_score.example")),
        ("127.0.0.1", .exact("127.0.0.1")),
        ("[::1]", .exact("[::1]")),
        // IPv6 literals in the canonical form that Host normalisation produces
        ("[2001:DB8:0:0::1]", .exact("[2001:db8::1]")),
        ("[0:0:0:0:0:0:0:1]", .exact("[::1]")),
        ("*.example.com", .wildcard(suffix: ".example.com")),
        ("*.Example.Com", .wildcard(suffix: ".example.com")),
        ("*.com", .wildcard(suffix: ".com")),
    ])
    func parses(text: String, expected: HostPattern) {
        #expect(HostPattern(parsing: text) == expected)
    }

    @Test(arguments: [
        "", "*", "*.", "**.example.com", "*example.com", "a.*.com", "*.*.com", "example.*", "exa mple.com",
        "example..com", ".example.com", "example.com.", "example.com:80", "exämple.com", "[zz]", "[::1", "[1.2.3.4]", "[]",
        "http://example.com", String(repeating: "a", count: 64) + ".com", "user@example.com",
    ])
    func rejects(text: String) {
        #expect(HostPattern(parsing: text) == nil)
    }

    @Test(arguments: [
        ("*.example.com", "a.example.com", true),
        ("*.example.com", "api-1.example.com", true),
        ("*.example.com", "example.com", false),
        ("*.example.com", "a.b.example.com", false),
        ("*.example.com", "example.com.evil.net", false),
        ("*.example.com", "evilexample.com", false),
        ("*.example.com", ".example.com", false),
        ("example.com", "example.com", true),
        ("example.com", "www.example.com", false),
        ("example.com", "example.co", false),
    ])
    func matches(pattern: String, host: String, expected: Bool) throws {
        #expect(try #require(HostPattern(parsing: pattern)).matches(host) == expected)
    }

    @Test(arguments: [("*.Example.com", "*.example.com"), ("Example.com", "example.com")])
    func description(text: String, expected: String) throws {
        #expect(try #require(HostPattern(parsing: text)).description == expected)
    }
}
