import GatewayPolicies
import Testing

@Suite struct CORSOriginTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pattern: String
        var origin: String
        var matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "matches" : "refuses") \(origin)" }
    }

    static let cases: [Case] = [
        Case(pattern: "https://app.example.com", origin: "https://app.example.com", matches: true),
        Case(pattern: "https://app.example.com", origin: "https://APP.example.com", matches: true),
        Case(pattern: "https://app.example.com", origin: "https://app.example.com:443", matches: true),
        Case(pattern: "https://app.example.com", origin: "http://app.example.com", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://app.example.com:8443", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://app.example.com.evil.net", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://evilapp.example.com", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://app.example.co", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://app.example.com/", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://user@app.example.com", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://app.example.com@evil.net", matches: false),
        Case(pattern: "https://app.example.com", origin: "https://app.example.com.", matches: false),
        Case(pattern: "https://app.example.com", origin: "null", matches: false),
        Case(pattern: "https://app.example.com", origin: "", matches: false),
        Case(pattern: "http://localhost:3000", origin: "http://localhost:3000", matches: true),
        Case(pattern: "http://localhost:3000", origin: "http://localhost:3001", matches: false),
        Case(pattern: "http://localhost:3000", origin: "http://localhost", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://a.example.com", matches: true),
        Case(pattern: "https://*.example.com", origin: "https://a-b.example.com", matches: true),
        Case(pattern: "https://*.example.com", origin: "https://example.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://a.b.example.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://example.com.evil.net", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://a.example.com.evil.net", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://evilexample.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://a.evilexample.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "http://a.example.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://a.example.com:8443", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://.example.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://a..example.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "https://x@a.example.com", matches: false),
        Case(pattern: "https://*.example.com", origin: "file://a.example.com", matches: false),
        Case(pattern: "https://*.example.com:8443", origin: "https://a.example.com:8443", matches: true),
        Case(pattern: "https://*.example.com:8443", origin: "https://a.example.com", matches: false),
        Case(pattern: "*", origin: "https://anything.test", matches: true),
        Case(pattern: "*", origin: "null", matches: false),
        Case(pattern: "*", origin: "file://", matches: false),
        Case(pattern: "*", origin: "chrome-extension://abc", matches: false),
    ]

    @Test(arguments: cases)
    func originMatching(_ c: Case) throws {
        let pattern = try OriginPattern.parse(c.pattern).get()
        let matched = CORSOrigin(c.origin).map { pattern.matches($0) } ?? false
        #expect(matched == c.matches)
    }

    @Test(arguments: [
        ("https://app.example.com/", "has a path"),
        ("https://app.example.com/api", "has a path"),
        ("https://app.example.com?x=1", "has a path"),
        ("app.example.com", "has no scheme"),
        ("https://user@app.example.com", "userinfo"),
        ("https://*.com", "top-level domain"),
        ("https://a*.example.com", "first label"),
        ("https://*example.com", "first label"),
        ("null", "cannot be allowed"),
        ("file://", "cannot be allowed"),
        ("ftp://app.example.com", "invalid origin"),
        ("https://app.example.com:0", "invalid origin"),
    ])
    func refusedPatterns(_ text: String, _ problem: String) {
        guard case .failure(let error) = OriginPattern.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(error.message.contains(problem), "\(error.message)")
    }
}
