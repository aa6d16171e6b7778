import GatewayCore
import GatewayPolicies
import NIOHTTP1
import Testing

@Suite struct RequestLimitsTests {
    static let limits = HeadLimits(headerBlockBytes: 200, headerCount: 4, headerFieldBytes: 60, targetBytes: 32)

    /// A head whose fields (with `Host: api.example.com`, 21 bytes + CRLF) add up as requested.
    static func head(uri: String = "/", fields: [(String, String)] = []) -> HTTPRequestHead {
        TestRequest.head(.GET, uri, headers: fields)
    }

    @Test func targetAtTheLimitPassesOneByteOverIs414() {
        let exact = "/" + String(repeating: "a", count: 31)
        #expect(Self.limits.check(Self.head(uri: exact)) == nil)
        #expect(Self.limits.check(Self.head(uri: exact + "b")) == .uriTooLong(limit: 32))
    }

    @Test func fieldCountAtTheLimitPassesOneMoreIs431() {
        let three = (1...3).map { ("X-\($0)", "v") }
        #expect(Self.limits.check(Self.head(fields: three)) == nil)
        #expect(Self.limits.check(Self.head(fields: three + [("X-4", "v")])) == .headerFieldsTooLarge)
    }

    @Test func singleFieldAtTheLimitPassesOneByteOverIs431() {
        // "X-Big: " is 7 bytes: a value of 53 makes the field exactly 60.
        #expect(Self.limits.check(Self.head(fields: [("X-Big", String(repeating: "v", count: 53))])) == nil)
        #expect(Self.limits.check(Self.head(fields: [("X-Big", String(repeating: "v", count: 54))])) == .headerFieldsTooLarge)
    }

    @Test func headerBlockAtTheLimitPassesOneByteOverIs431() {
        // Host line: 23 bytes. Three fields of "X-N: " (5) + 45 + CRLF = 52 → 179; the fourth
        // field may not be added (count), so fill the last one: 200 - 23 - 2 * 52 = 73 → value 66.
        let two = [("X-1", String(repeating: "v", count: 45)), ("X-2", String(repeating: "v", count: 45))]
        let wide = HeadLimits(headerBlockBytes: 200, headerCount: 4, headerFieldBytes: 100, targetBytes: 32)
        #expect(wide.check(Self.head(fields: two + [("X-3", String(repeating: "v", count: 66))])) == nil)
        #expect(wide.check(Self.head(fields: two + [("X-3", String(repeating: "v", count: 67))])) == .headerFieldsTooLarge)
    }

    @Test(arguments: [(1024, 1024, true), (1025, 1024, false), (0, 0, true), (1, 0, false)])
    func declaredBodyAtTheLimit(_ length: Int, _ limit: Int, _ passes: Bool) {
        var request = TestRequest.context(.POST, "/", headers: [("Content-Length", String(length))])
        let decision = RequestLimitsPolicy(limits: RequestLimits(bodyBytes: limit)).evaluate(&request, on: TestRequest.loop)
        if passes {
            #expect(decision.proceeds)
            #expect(request.bodyLimit == limit)
        } else {
            #expect(decision.rejection == .payloadTooLarge(limit: limit))
        }
    }

    @Test func chunkedBodyIsLeftToTheStreamCount() {
        var request = TestRequest.context(.POST, "/", headers: [("Transfer-Encoding", "chunked")])
        #expect(RequestLimitsPolicy(limits: RequestLimits(bodyBytes: 10)).evaluate(&request, on: TestRequest.loop).proceeds)
        #expect(request.bodyLimit == 10)
    }

    @Test func routeHeadLimitsAreCheckedAfterRouting() {
        var request = TestRequest.context(.GET, "/" + String(repeating: "a", count: 40))
        let policy = RequestLimitsPolicy(limits: RequestLimits(head: Self.limits))
        #expect(policy.evaluate(&request, on: TestRequest.loop).rejection == .uriTooLong(limit: 32))
        #expect(Self.limits.isWithin(HeadLimits()))
        #expect(!HeadLimits().isWithin(Self.limits))
    }
}
