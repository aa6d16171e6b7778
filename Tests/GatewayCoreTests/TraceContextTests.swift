import GatewayCore
import NIOHTTP1
import Testing

@Suite struct TraceContextTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test(arguments: [
        (valid, "4bf92f3577b34da6a3ce929d0e0e4736", "01"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "4bf92f3577b34da6a3ce929d0e0e4736", "00"),
        // A later version may append fields.
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "4bf92f3577b34da6a3ce929d0e0e4736", "01"),
    ])
    func validHeadersKeepTheirTrace(header: String, trace: String, flags: String) {
        let parsed = TraceContext.parse(header)
        #expect(parsed?.traceID == trace)
        #expect(parsed?.flags == flags)
    }

    @Test(arguments: [
        "",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // version 00 has no more fields
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ])
    func invalidHeadersAreRefused(header: String) {
        #expect(TraceContext.parse(header) == nil)
    }

    @Test func aValidTraceContinuesWithANewSpan() {
        var ids = RequestIDGenerator()
        let trace = TraceContext.next(inbound: Self.valid, ids: &ids)
        #expect(trace.continued)
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.spanID != "00f067aa0ba902b7")
        #expect(trace.spanID.utf8.count == 16)
        #expect(TraceContext.parse(trace.traceparent)?.traceID == trace.traceID)
    }

    @Test func anAbsentOrInvalidTraceStartsANewOne() {
        var ids = RequestIDGenerator()
        for inbound in [nil, "garbage"] {
            let trace = TraceContext.next(inbound: inbound, ids: &ids)
            #expect(!trace.continued)
            #expect(trace.flags == "01")
            #expect(TraceContext.parse(trace.traceparent) != nil)
        }
    }

    @Test func upstreamHeadersCarryTheGatewaySpanAndTracestateOnlyForAContinuedTrace() {
        var ids = RequestIDGenerator()
        var inbound = HTTPHeaders()
        inbound.add(name: "Host", value: "a")
        inbound.add(name: "traceparent", value: Self.valid)
        inbound.add(name: "tracestate", value: "vendor=1")
        let continued = TraceContext.next(inbound: Self.valid, ids: &ids)
        func headers(_ trace: TraceContext) -> HTTPHeaders {
            ProxyHeaders.upstreamRequestHeaders(
                inbound,
                downstream: .init(peer: nil, peerIsTrusted: false, scheme: "http", authority: "a", requestID: "r", trace: trace),
                hostOverride: nil)
        }
        let kept = headers(continued)
        #expect(kept[canonicalForm: "traceparent"] == [Substring(continued.traceparent)])
        #expect(kept[canonicalForm: "tracestate"] == ["vendor=1"])
        let fresh = headers(TraceContext.next(inbound: nil, ids: &ids))
        #expect(fresh[canonicalForm: "traceparent"].count == 1)
        #expect(fresh[canonicalForm: "tracestate"].isEmpty)
    }
}
