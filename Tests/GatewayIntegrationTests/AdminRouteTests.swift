@testable import GatewayServer
import NIOHTTP1
import Testing

/// The admin listener's routing and token check, as a table.
@Suite struct AdminRouteTests {
    static let token = "0123456789abcdef-token"

    @Test(arguments: [
        (HTTPMethod.GET, "/healthz", nil, AdminRoute.healthz),
        (.GET, "/readyz", nil, .readyz),
        (.HEAD, "/healthz", nil, .healthz),
        (.GET, "/metrics", nil, .unauthorized),
        (.GET, "/metrics", "Bearer \(token)", .metrics),
        (.GET, "/metrics?x=1", "Bearer \(token)", .metrics),
        (.GET, "/metrics", "Bearer \(token)0", .unauthorized),
        (.GET, "/metrics", "bearer \(token)", .unauthorized),
        (.GET, "/metrics", token, .unauthorized),
        (.GET, "/config", "Bearer \(token)", .config),
        (.GET, "/config/outline", "Bearer \(token)", .configOutline),
        (.GET, "/config/outline", nil, .unauthorized),
        (.POST, "/reload", "Bearer \(token)", .reload),
        (.POST, "/reload", nil, .unauthorized),
        (.GET, "/reload", "Bearer \(token)", .methodNotAllowed(allow: "POST")),
        (.POST, "/metrics", "Bearer \(token)", .methodNotAllowed(allow: "GET, HEAD")),
        (.GET, "/", "Bearer \(token)", .notFound),
        (.POST, "/cache/purge?url=h/a", "Bearer \(token)", .cachePurge(query: "url=h/a")),
        (.POST, "/cache/purge", "Bearer \(token)", .cachePurge(query: "")),
        (.POST, "/cache/purge?prefix=/", nil, .unauthorized),
        (.GET, "/cache/purge?prefix=/", "Bearer \(token)", .methodNotAllowed(allow: "POST")),
    ] as [(HTTPMethod, String, String?, AdminRoute)])
    func withToken(method: HTTPMethod, path: String, authorization: String?, expected: AdminRoute) {
        #expect(AdminRoute.decide(method: method, path: path, authorization: authorization, token: Self.token) == expected)
    }

    @Test func withoutATokenEverythingIsOpen() {
        #expect(AdminRoute.decide(method: .GET, path: "/metrics", authorization: nil, token: nil) == .metrics)
        #expect(AdminRoute.decide(method: .POST, path: "/reload", authorization: nil, token: nil) == .reload)
    }

    @Test func prometheusLabelValuesAreEscaped() {
        #expect(PrometheusText.escape(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
    }

    @Test func histogramBucketsAreCumulativeInSeconds() {
        var histogram = LatencyHistogram()
        histogram.record(nanos: 500_000)
        histogram.record(nanos: 3_000_000)
        histogram.record(nanos: 60_000_000_000)
        var text = PrometheusText()
        text.histogram("h", [], histogram)
        #expect(text.text.contains(#"h_bucket{le="0.001"} 1"#))
        #expect(text.text.contains(#"h_bucket{le="0.005"} 2"#))
        #expect(text.text.contains(#"h_bucket{le="30.0"} 2"#))
        #expect(text.text.contains(#"h_bucket{le="+Inf"} 3"#))
        #expect(text.text.contains("h_count 3"))
    }
}
