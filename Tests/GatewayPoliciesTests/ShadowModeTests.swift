import GatewayCore
import GatewayPolicies
import NIOCore
import NIOHTTP1
import Testing

/// `mode shadow` per policy: what the enforcing policy would refuse is let through and recorded,
/// and nothing a refusal would have withheld (claims, CORS headers) is granted.
@Suite struct ShadowModeTests {
    @Test func jwtWithoutTokenProceedsUnauthenticatedAndStripsClientCopies() {
        let policy = ShadowPolicy(JWTPolicy(issuers: [JWTPolicyTests.issuer]))
        var request = TestRequest.context(.GET, "/", headers: [("X-User", "admin")], at: TestSigner.now)
        #expect(policy.evaluate(&request, on: TestRequest.loop).proceeds)
        #expect(request.shadowRejections == [ShadowRejection(policy: "jwt", error: .missingToken)])
        #expect(request.upstreamHeaders["X-User"].isEmpty)
        #expect(request.authenticatedSubject == nil)
        #expect(policy.name == "jwt (shadow)")
    }

    @Test func jwtWithBadTokenForwardsNoClaims() {
        let policy = ShadowPolicy(JWTPolicy(issuers: [JWTPolicyTests.issuer], requiredScopes: ["admin"]))
        var request = TestRequest.context(
            .GET, "/", headers: [("Authorization", "Bearer \(JWTPolicyTests.valid)"), ("X-Roles", "root")], at: TestSigner.now)
        #expect(policy.evaluate(&request, on: TestRequest.loop).proceeds)
        #expect(request.shadowRejections.map(\.logValue) == ["jwt=insufficient_scope"])
        #expect(request.upstreamHeaders["X-User"].isEmpty)
        #expect(request.upstreamHeaders["X-Roles"].isEmpty)
        #expect(request.authenticatedSubject == nil)
    }

    @Test func jwtWithValidTokenIsUnchanged() {
        let policy = ShadowPolicy(JWTPolicy(issuers: [JWTPolicyTests.issuer]))
        var request = TestRequest.context(.GET, "/", headers: [("Authorization", "Bearer \(JWTPolicyTests.valid)")], at: TestSigner.now)
        #expect(policy.evaluate(&request, on: TestRequest.loop).proceeds)
        #expect(request.shadowRejections.isEmpty)
        #expect(request.upstreamHeaders["X-User"] == ["user-1"])
    }

    @Test func corsRefusedPreflightIsLetThroughWithoutCORSHeaders() {
        let policy = ShadowPolicy(CORSPolicyTests.policy)
        var request = CORSPolicyTests.preflight(origin: "https://evil.example.com")
        #expect(policy.evaluate(&request, on: TestRequest.loop).proceeds)
        #expect(request.shadowRejections.map(\.logValue) == ["cors=cors_rejected/origin_not_allowed"])
        // The upstream's answer to the forwarded preflight gets no CORS headers of the gateway,
        // and loses any of its own.
        var response = ResponseContext(
            status: .ok, headers: HTTPHeaders([("Access-Control-Allow-Origin", "*")]), isGatewayResponse: false)
        CORSPolicyTests.policy.apply(to: &response, request: request)
        #expect(!response.headers.contains(where: { $0.name.lowercased().hasPrefix("access-control-") }))
    }

    @Test func corsAllowedPreflightIsStillAnswered() throws {
        var request = CORSPolicyTests.preflight(origin: "https://app.example.com")
        let response = try #require(ShadowPolicy(CORSPolicyTests.policy).evaluate(&request, on: TestRequest.loop).response)
        #expect(response.status == .noContent)
        #expect(request.shadowRejections.isEmpty)
    }

    @Test func ipRulesRefusalIsRecorded() {
        let policy = ShadowPolicy(IPRulesPolicy(levels: [IPRulesTests.list([(true, "10.0.0.0/8")])]))
        var refused = TestRequest.context(client: "192.0.2.10")
        #expect(policy.evaluate(&refused, on: TestRequest.loop).proceeds)
        #expect(refused.shadowRejections == [ShadowRejection(policy: "ip_rules", error: .addressDenied)])
        var admitted = TestRequest.context(client: "10.1.2.3")
        #expect(policy.evaluate(&admitted, on: TestRequest.loop).proceeds)
        #expect(admitted.shadowRejections.isEmpty)
    }

    @Test func limitsDeclaredBodyOverTheLimitIsRecordedNotEnforced() {
        let policy = RequestLimitsPolicy(limits: RequestLimits(bodyBytes: 10), mode: .shadow)
        var over = TestRequest.context(.POST, "/", headers: [("Content-Length", "11")])
        #expect(policy.evaluate(&over, on: TestRequest.loop).proceeds)
        #expect(over.shadowRejections == [ShadowRejection(policy: "limits", error: .payloadTooLarge(limit: 10))])
        #expect(over.bodyLimit == nil)
        #expect(over.shadowBodyLimit == nil)
        #expect(policy.name == "limits (shadow)")
    }

    @Test func limitsStreamedBodyIsCountedAgainstTheShadowLimit() {
        var request = TestRequest.context(.POST, "/", headers: [("Transfer-Encoding", "chunked")])
        #expect(RequestLimitsPolicy(limits: RequestLimits(bodyBytes: 10), mode: .shadow).evaluate(&request, on: TestRequest.loop).proceeds)
        #expect(request.bodyLimit == nil)
        #expect(request.shadowBodyLimit == 10)
        #expect(request.shadowRejections.isEmpty)
    }

    @Test func limitsRouteHeadLimitsAreShadowed() {
        var request = TestRequest.context(.GET, "/" + String(repeating: "a", count: 40))
        let policy = RequestLimitsPolicy(limits: RequestLimits(head: RequestLimitsTests.limits), mode: .shadow)
        #expect(policy.evaluate(&request, on: TestRequest.loop).proceeds)
        #expect(request.shadowRejections.map(\.logValue) == ["limits=uri_too_long"])
    }

    @Test func pendingRejectionIsRecordedWhenItResolves() async throws {
        let loop = TestRequest.loop
        struct Asking: RequestPolicy {
            let answer: PolicyDecision
            var name: String { "asking" }
            func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
                .pending(eventLoop.makeSucceededFuture(answer))
            }
        }
        var request = TestRequest.context()
        guard case .pendingUpdate(let future) = ShadowPolicy(Asking(answer: .reject(.addressDenied))).evaluate(&request, on: loop) else {
            Issue.record("expected a pending update")
            return
        }
        let resolved = try await future.get()
        #expect(resolved.decision.proceeds)
        resolved.update(&request)
        #expect(request.shadowRejections == [ShadowRejection(policy: "asking", error: .addressDenied)])
    }
}
