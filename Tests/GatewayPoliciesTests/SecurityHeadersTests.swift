import GatewayCore
import GatewayPolicies
import NIOHTTP1
import Testing

@Suite struct SecurityHeadersTests {
    static func apply(_ headers: SecurityHeaders, to fields: [(String, String)], gatewayMade: Bool = false) -> HTTPHeaders {
        var response = ResponseContext(status: .ok, headers: HTTPHeaders(fields), isGatewayResponse: gatewayMade)
        SecurityHeadersPolicy(headers: headers).apply(to: &response)
        return response.headers
    }

    @Test func builtInDefaultsOnAnEmptyResponse() {
        let headers = Self.apply(.builtIn, to: [], gatewayMade: true)
        #expect(headers["X-Content-Type-Options"] == ["nosniff"])
        #expect(headers["X-Frame-Options"] == ["DENY"])
        #expect(headers["Referrer-Policy"] == ["no-referrer"])
        #expect(headers["Content-Security-Policy"] == ["default-src 'none'; frame-ancestors 'none'"])
        #expect(headers["Strict-Transport-Security"].isEmpty)
    }

    @Test func upstreamWinsOnlyForDefaults() {
        let headers = Self.apply(.builtIn, to: [("X-Content-Type-Options", "sniff"), ("Content-Security-Policy", "default-src 'self'")])
        #expect(headers["X-Content-Type-Options"] == ["nosniff"])
        #expect(headers["Content-Security-Policy"] == ["default-src 'self'"])
    }

    struct Layering: Sendable, CustomTestStringConvertible {
        var name: String
        var route: [HeaderRule]
        var upstream: [(String, String)]
        var expected: [String: [String]]
        var testDescription: String { name }
    }

    static let layering: [Layering] = [
        Layering(name: "route adds a header, keeps inherited ones", route: [HeaderRule(name: "Permissions-Policy", mode: .set, values: ["camera=()"])], upstream: [],
                 expected: ["Permissions-Policy": ["camera=()"], "X-Frame-Options": ["DENY"], "X-Content-Type-Options": ["nosniff"]]),
        Layering(name: "route overrides an inherited value", route: [HeaderRule(name: "x-frame-options", mode: .set, values: ["SAMEORIGIN"])], upstream: [("X-Frame-Options", "ALLOW")],
                 expected: ["X-Frame-Options": ["SAMEORIGIN"]]),
        Layering(name: "route removes an inherited header explicitly", route: [HeaderRule(name: "Content-Security-Policy", mode: .remove)], upstream: [("Content-Security-Policy", "x")],
                 expected: ["Content-Security-Policy": [], "Referrer-Policy": ["no-referrer"]]),
        Layering(name: "append keeps the inherited value", route: [HeaderRule(name: "Content-Security-Policy", mode: .append, values: ["upgrade-insecure-requests"])], upstream: [],
                 expected: ["Content-Security-Policy": ["default-src 'none'; frame-ancestors 'none'", "upgrade-insecure-requests"]]),
        Layering(name: "remove strips a configured upstream header", route: [HeaderRule(name: "X-AspNet-Version", mode: .remove)], upstream: [("X-AspNet-Version", "4.0")],
                 expected: ["X-AspNet-Version": []]),
    ]

    @Test(arguments: layering)
    func routeLayerExtendsTheDefaults(_ c: Layering) {
        let merged = SecurityHeaders.builtIn.merging(SecurityHeaders(rules: c.route))
        let headers = Self.apply(merged, to: c.upstream)
        for (name, values) in c.expected {
            #expect(headers[name] == values, "\(name)")
        }
    }
}
