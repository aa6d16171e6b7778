import GatewayCore
import GatewayPolicies
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The rate-limit policy with stores that answer what a test says: keys, decisions per mode and
/// store outcome, pending answers, and the response headers.
@Suite struct RateLimitPolicyTests {
    /// A store that records the keys it is asked for and answers from a script.
    final class ScriptedStore: RateLimitStore, @unchecked Sendable {
        var answer: (String, Int) -> RateLimitStoreAnswer
        var keys: [String] = []

        init(_ answer: @escaping (String, Int) -> RateLimitStoreAnswer) { self.answer = answer }

        func take(key: String, cost: Int, on eventLoop: any EventLoop) -> RateLimitStoreAnswer {
            keys.append(key)
            return answer(key, cost)
        }
    }

    static func context(
        headers: [(String, String)] = [], client: String? = "203.0.113.7", subject: String? = nil,
        stores: [String: any RateLimitStore] = [:]
    ) throws -> RequestContext {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/api/x", headers: HTTPHeaders([("Host", "a.test")] + headers))
        let validated = try RequestValidator.validate(head).get()
        let route = Route(path: .prefix("/api/"), action: .respond(StaticResponse(status: 200)))
        return RequestContext(
            inbound: head, validated: validated, route: route, clientAddress: client.flatMap(IPAddress.init), requestID: "r",
            receivedAt: 0, upstreamHeaders: [:], services: PolicyServices(rateLimitStores: stores), authenticatedSubject: subject)
    }

    static let allowed = RateLimitOutcome(allowed: true, remaining: 41, retryAfterNanos: 0, resetNanos: 2_500_000_000)
    static let refused = RateLimitOutcome(allowed: false, remaining: 0, retryAfterNanos: 1_200_000_000, resetNanos: 9_000_000_000)

    struct KeyCase: Sendable, CustomStringConvertible {
        var key: RateLimitKey
        var headers: [(String, String)] = []
        var client: String? = "203.0.113.7"
        var subject: String? = nil
        var bucket: String
        var fellBack: Bool
        var description: String { "\(key) → \(bucket)" }
    }

    static let keyCases: [KeyCase] = [
        KeyCase(key: .clientIP, bucket: "ip:203.0.113.7", fellBack: false),
        KeyCase(key: .clientIP, client: nil, bucket: "ip:-", fellBack: false),
        KeyCase(key: .header("x-api-key"), headers: [("X-Api-Key", "k1")], bucket: "h:k1", fellBack: false),
        KeyCase(key: .header("x-api-key"), bucket: "ip:203.0.113.7", fellBack: true),
        KeyCase(key: .header("x-api-key"), headers: [("X-Api-Key", "")], bucket: "ip:203.0.113.7", fellBack: true),
        // A header value that looks like an address bucket still lands in the header namespace.
        KeyCase(key: .header("x-api-key"), headers: [("X-Api-Key", "ip:10.0.0.1")], bucket: "h:ip:10.0.0.1", fellBack: false),
        KeyCase(key: .jwtSubject, subject: "user-7", bucket: "sub:user-7", fellBack: false),
        KeyCase(key: .jwtSubject, bucket: "ip:203.0.113.7", fellBack: true),
        KeyCase(key: .route, bucket: "route:/api/*", fellBack: false),
    ]

    @Test(arguments: keyCases)
    func bucketKeys(_ c: KeyCase) throws {
        let context = try Self.context(headers: c.headers, client: c.client, subject: c.subject)
        let (key, fellBack) = c.key.bucketKey(for: context)
        #expect(key == c.bucket)
        #expect(fellBack == c.fellBack)
    }

    struct DecisionCase: Sendable, CustomStringConvertible {
        var mode: RateLimitMode
        var outcome: RateLimitOutcome
        var reason: RateLimitReason
        /// `proceed`, `429` or `503`.
        var decision: String
        var description: String { "\(mode) \(outcome.source) allowed=\(outcome.allowed) → \(reason.rawValue)" }
    }

    static func fallback(_ o: RateLimitOutcome) -> RateLimitOutcome {
        var o = o
        o.source = .localFallback
        return o
    }

    static let decisionCases: [DecisionCase] = [
        DecisionCase(mode: .enforce, outcome: allowed, reason: .allowed, decision: "proceed"),
        DecisionCase(mode: .enforce, outcome: refused, reason: .limited, decision: "429"),
        DecisionCase(mode: .shadow, outcome: allowed, reason: .allowed, decision: "proceed"),
        DecisionCase(mode: .shadow, outcome: refused, reason: .shadowLimited, decision: "proceed"),
        DecisionCase(mode: .enforce, outcome: fallback(allowed), reason: .fallbackAllowed, decision: "proceed"),
        DecisionCase(mode: .enforce, outcome: fallback(refused), reason: .fallbackLimited, decision: "429"),
        DecisionCase(mode: .shadow, outcome: fallback(refused), reason: .fallbackShadowLimited, decision: "proceed"),
        DecisionCase(mode: .enforce, outcome: .failed(.open), reason: .storeErrorOpen, decision: "proceed"),
        DecisionCase(mode: .enforce, outcome: .failed(.closed), reason: .storeErrorClosed, decision: "503"),
        DecisionCase(mode: .shadow, outcome: .failed(.closed), reason: .storeErrorClosedShadow, decision: "proceed"),
    ]

    static func describe(_ decision: PolicyDecision) -> String {
        switch decision {
        case .proceed: "proceed"
        case .reject(let error): String(error.status.code)
        case .respond(let response): "respond \(response.status.code)"
        case .pending, .pendingUpdate: "pending"
        }
    }

    @Test(arguments: decisionCases)
    func decisions(_ c: DecisionCase) throws {
        let spec = RateLimitSpec(name: "api", rate: 10, burst: 50, mode: c.mode)
        let store = ScriptedStore { _, _ in .decided(c.outcome) }
        var context = try Self.context(stores: ["api": store])
        let decision = RateLimitPolicy(spec: spec, cost: 3).evaluate(&context, on: EmbeddedEventLoop())
        #expect(Self.describe(decision) == c.decision)
        #expect(context.rateLimits.map(\.reason) == [c.reason])
        #expect(context.rateLimits.first?.logValue == "api=\(c.reason.rawValue)")
        #expect(c.reason.rejects == (c.decision != "proceed"))
        if case .reject(let error) = decision, case .rateLimited(let limit, let retryAfter) = error {
            #expect(limit == "api")
            #expect(retryAfter == 2)
            #expect(GatewayResponse.error(error, requestID: "r").headers["Retry-After"] == ["2"])
        }
    }

    @Test func passesKeyAndCostToTheStore() throws {
        var asked: [(String, Int)] = []
        let store = ScriptedStore { key, cost in
            asked.append((key, cost))
            return .decided(Self.allowed)
        }
        var context = try Self.context(headers: [("X-Api-Key", "abc")], stores: ["k": store])
        _ = RateLimitPolicy(spec: RateLimitSpec(name: "k", rate: 1, burst: 9, key: .header("x-api-key")), cost: 4)
            .evaluate(&context, on: EmbeddedEventLoop())
        #expect(asked.map(\.0) == ["h:abc"])
        #expect(asked.map(\.1) == [4])
        #expect(context.rateLimits.first?.keyFellBack == false)
    }

    @Test func pendingAnswerRecordsItsStatusWhenItCompletes() throws {
        let loop = EmbeddedEventLoop()
        let promise = loop.makePromise(of: RateLimitOutcome.self)
        let store = ScriptedStore { _, _ in .pending(promise.futureResult) }
        var context = try Self.context(stores: ["api": store])
        let decision = RateLimitPolicy(spec: RateLimitSpec(name: "api", rate: 1, burst: 1)).evaluate(&context, on: loop)
        guard case .pendingUpdate(let future) = decision else {
            Issue.record("expected a pending update, got \(Self.describe(decision))")
            return
        }
        #expect(context.rateLimits.isEmpty)
        promise.succeed(Self.refused)
        let update = try future.wait()
        update.update(&context)
        #expect(Self.describe(update.decision) == "429")
        #expect(context.rateLimits.map(\.reason) == [.limited])
    }

    @Test func missingStoreIsAnInternalError() throws {
        var context = try Self.context()
        let decision = RateLimitPolicy(spec: RateLimitSpec(name: "api", rate: 1, burst: 1)).evaluate(&context, on: EmbeddedEventLoop())
        #expect(Self.describe(decision) == "500")
    }

    @Test func headersListEveryReportedLimit() throws {
        var context = try Self.context()
        let a = RateLimitPolicy(spec: RateLimitSpec(name: "a", rate: 100, burst: 200))
        let b = RateLimitPolicy(spec: RateLimitSpec(name: "b", rate: 1, per: .minutes(1), burst: 5))
        let quiet = RateLimitPolicy(spec: RateLimitSpec(name: "quiet", rate: 1, burst: 1, headers: false))
        let shadow = RateLimitPolicy(spec: RateLimitSpec(name: "shadow", rate: 1, burst: 1, mode: .shadow))
        let failed = RateLimitPolicy(spec: RateLimitSpec(name: "failed", rate: 1, burst: 1))
        context.rateLimits = [
            a.status(key: "ip:x", fellBack: false, outcome: Self.allowed),
            quiet.status(key: "ip:x", fellBack: false, outcome: Self.allowed),
            shadow.status(key: "ip:x", fellBack: false, outcome: Self.refused),
            failed.status(key: "ip:x", fellBack: false, outcome: .failed(.open)),
            b.status(key: "ip:x", fellBack: false, outcome: Self.refused),
        ]
        var response = ResponseContext(status: .ok, headers: [:], isGatewayResponse: false)
        RateLimitHeadersPolicy().apply(to: &response, request: context)
        #expect(response.headers["RateLimit-Policy"] == [#""a";q=200;w=2, "b";q=5;w=300"#])
        #expect(response.headers["RateLimit"] == [#""a";r=41;t=3, "b";r=0;t=9"#])
    }

    @Test func noHeadersWithoutReportedLimits() throws {
        var response = ResponseContext(status: .ok, headers: HTTPHeaders([("X", "1")]), isGatewayResponse: false)
        RateLimitHeadersPolicy().apply(to: &response, request: try Self.context())
        #expect(response.headers.count == 1)
    }
}
