import GatewayCore
import GatewayTestSupport
import Testing

@Suite("Upstream balancing") struct UpstreamBalancingTests {
    @Test func hashOnAHeaderKeepsEachUserOnOneServer() async throws {
        try await withUpstreamGroup(3, threads: 2, configure: { $0.balance = .hash(.header("x-user")) }) { upstreams, gateway, group in
            let users = (0..<24).map { "user-\($0)" }
            for round in 0..<3 {
                for user in users {
                    let status = try await get("/r\(round)", headers: ["X-User: \(user)"], port: gateway.port, group: group); #expect(status == 200)
                }
            }
            var serversOfUser: [String: Set<Int>] = [:]
            for (index, upstream) in upstreams.enumerated() {
                for request in upstream.requests {
                    serversOfUser[request.head.headers.first(name: "x-user") ?? "-", default: []].insert(index)
                }
            }
            #expect(serversOfUser.count == users.count)
            #expect(serversOfUser.values.allSatisfy { $0.count == 1 }, "\(serversOfUser)")
            // Spread: 24 keys on a ring of three servers do not all land on one.
            #expect(upstreams.filter { $0.requestCount > 0 }.count >= 2)
        }
    }

    @Test func powerOfTwoChoicesReachesEveryServer() async throws {
        try await withUpstreamGroup(3, configure: { $0.balance = .powerOfTwoChoices }) { upstreams, gateway, group in
            for _ in 0..<60 { let status = try await get(port: gateway.port, group: group); #expect(status == 200) }
            #expect(upstreams.allSatisfy { $0.requestCount > 0 }, "\(upstreams.map(\.requestCount))")
            #expect(upstreams.map(\.requestCount).reduce(0, +) == 60)
        }
    }
}
