import GatewayCore
import GatewayPolicies
import NIOHTTP1
import Testing

@Suite struct CORSPolicyTests {
    static let policy = CORSPolicy(
        config: CORSConfig(
            origins: [try! OriginPattern.parse("https://app.example.com").get(), try! OriginPattern.parse("https://*.example.org").get()],
            methods: ["GET", "PUT", "DELETE"],
            allowHeaders: ["Authorization", "Content-Type"],
            exposeHeaders: ["X-Total"],
            credentials: true,
            maxAgeSeconds: 300))

    static func preflight(origin: String, method: String = "PUT", headers: String? = nil) -> RequestContext {
        var fields = [("Origin", origin), ("Access-Control-Request-Method", method)]
        if let headers { fields.append(("Access-Control-Request-Headers", headers)) }
        return TestRequest.context(.OPTIONS, "/items", headers: fields)
    }

    @Test func preflightIsAnsweredWithTheMatchedOrigin() throws {
        var request = Self.preflight(origin: "https://app.example.com", headers: "authorization, content-type")
        let response = try #require(Self.policy.evaluate(&request, on: TestRequest.loop).response)
        #expect(response.status == .noContent)
        #expect(response.headers["Access-Control-Allow-Methods"] == ["GET, PUT, DELETE"])
        #expect(response.headers["Access-Control-Allow-Headers"] == ["Authorization, Content-Type"])
        #expect(response.headers["Access-Control-Max-Age"] == ["300"])
        var context = ResponseContext(status: response.status, headers: response.headers, isGatewayResponse: true)
        Self.policy.apply(to: &context, request: request)
        #expect(context.headers["Access-Control-Allow-Origin"] == ["https://app.example.com"])
        #expect(context.headers["Access-Control-Allow-Credentials"] == ["true"])
        #expect(context.headers["Access-Control-Allow-Methods"] == ["GET, PUT, DELETE"])
        #expect(context.headers["Access-Control-Expose-Headers"].isEmpty)
        #expect(context.headers["Vary"].contains("Origin"))
    }

    @Test(arguments: [
        ("https://evil.example.com", "PUT", nil, "origin_not_allowed"),
        ("null", "PUT", nil, "origin_not_allowed"),
        ("https://app.example.com", "PATCH", nil, "method_not_allowed"),
        ("https://app.example.com", "PUT", "X-Secret", "header_not_allowed"),
        ("https://app.example.com", "PUT", "authorization, x-secret", "header_not_allowed"),
    ] as [(String, String, String?, String)])
    func refusedPreflights(_ origin: String, _ method: String, _ headers: String?, _ reason: String) {
        var request = Self.preflight(origin: origin, method: method, headers: headers)
        #expect(Self.policy.evaluate(&request, on: TestRequest.loop).rejection == .corsRejected(reason: reason))
    }

    @Test func safelistedMethodNeedsNoListing() {
        var request = Self.preflight(origin: "https://a.example.org", method: "POST")
        #expect(Self.policy.evaluate(&request, on: TestRequest.loop).response?.status == .noContent)
    }

    @Test func nonPreflightRequestsProceed() {
        var plainOptions = TestRequest.context(.OPTIONS, "/", headers: [("Origin", "https://app.example.com")])
        #expect(Self.policy.evaluate(&plainOptions, on: TestRequest.loop).proceeds)
        var get = TestRequest.context(.GET, "/", headers: [("Origin", "https://evil.test")])
        #expect(Self.policy.evaluate(&get, on: TestRequest.loop).proceeds)
    }

    @Test func upstreamAccessControlHeadersAreReplaced() {
        let request = TestRequest.context(.GET, "/", headers: [("Origin", "https://b.example.org")])
        var response = ResponseContext(
            status: .ok,
            headers: HTTPHeaders([
                ("Access-Control-Allow-Origin", "*"), ("access-control-allow-methods", "*"), ("Vary", "Accept-Encoding"), ("X-Total", "3"),
            ]),
            isGatewayResponse: false)
        Self.policy.apply(to: &response, request: request)
        #expect(response.headers["Access-Control-Allow-Origin"] == ["https://b.example.org"])
        #expect(response.headers["Access-Control-Allow-Methods"].isEmpty)
        #expect(response.headers["Access-Control-Expose-Headers"] == ["X-Total"])
        #expect(response.headers["Vary"] == ["Accept-Encoding", "Origin"])
        #expect(response.headers["X-Total"] == ["3"])
    }

    @Test(arguments: [["accept-encoding, ORIGIN"], ["Accept-Encoding", " origin "], ["*"]])
    func varyAlreadyCoveringOriginIsKept(_ vary: [String]) {
        let request = TestRequest.context(.GET, "/", headers: [("Origin", "https://b.example.org")])
        var response = ResponseContext(status: .ok, headers: HTTPHeaders(vary.map { ("vary", $0) }), isGatewayResponse: false)
        Self.policy.apply(to: &response, request: request)
        #expect(response.headers["Vary"] == vary)
        #expect(response.headers["Access-Control-Allow-Origin"] == ["https://b.example.org"])
    }

    @Test(arguments: ["https://evil.test", "null", "file://", "https://app.example.com.evil.net"])
    func unknownOriginsGetNoCORSHeaders(_ origin: String) {
        let request = TestRequest.context(.GET, "/", headers: [("Origin", origin)])
        var response = ResponseContext(status: .ok, headers: HTTPHeaders([("Access-Control-Allow-Origin", origin)]), isGatewayResponse: false)
        Self.policy.apply(to: &response, request: request)
        #expect(!response.headers.contains { $0.name.lowercased().hasPrefix("access-control-") })
        #expect(response.headers["Vary"] == ["Origin"])
    }

    @Test func anyOriginWithoutCredentialsSendsStar() {
        let policy = CORSPolicy(config: CORSConfig(origins: [.any]))
        let request = TestRequest.context(.GET, "/", headers: [("Origin", "https://x.test")])
        var response = ResponseContext(status: .ok, headers: [:], isGatewayResponse: false)
        policy.apply(to: &response, request: request)
        #expect(response.headers["Access-Control-Allow-Origin"] == ["*"])
        #expect(CORSConfig(origins: [.any], credentials: true).combinesWildcardWithCredentials)
        #expect(!CORSConfig(origins: [.any], credentials: false).combinesWildcardWithCredentials)
    }

    /// An origin exactly as listed is matched without parsing; any other spelling of it is parsed
    /// and answered in the canonical form, and the wildcard rules apply as before.
    @Test(arguments: [
        ("https://app.example.com", "https://app.example.com"),
        ("HTTPS://App.Example.COM", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("https://app.example.com.", nil),
        ("https://app.example.com/", nil),
        ("https://api.example.org", "https://api.example.org"),
        ("https://example.org", nil),
    ] as [(String, String?)])
    func allowedOriginIsTheCanonicalForm(origin: String, expected: String?) {
        #expect(Self.policy.allowedOrigin(origin) == expected)
    }

    @Test func anExactOriginUnderAnyOriginFollowsTheWildcardRule() {
        let exact = try! OriginPattern.parse("https://app.example.com").get()
        #expect(CORSPolicy(config: CORSConfig(origins: [.any, exact])).allowedOrigin("https://app.example.com") == "*")
        #expect(
            CORSPolicy(config: CORSConfig(origins: [.any, exact], credentials: true)).allowedOrigin("https://app.example.com")
                == "https://app.example.com")
    }
}
