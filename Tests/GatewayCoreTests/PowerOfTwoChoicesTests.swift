import GatewayCore
import Testing

private func servers(_ weights: [Int]) -> [UpstreamServer] {
    weights.enumerated().map { UpstreamServer(host: "10.0.1.\($0.offset + 1)", port: 80, weight: $0.element) }
}

struct PowerOfTwoChoicesTests {
    /// With nothing in flight the first draw wins ties, so picks follow the weights.
    @Test(arguments: [[1, 1, 1, 1], [3, 1, 1, 1], [5, 2, 1], [1, 1]])
    func idleDistributionFollowsWeights(weights: [Int]) {
        var balancer = LoadBalancer(servers: servers(weights), algorithm: .powerOfTwoChoices, seed: 11)
        let picks = 40_000
        var counts = Array(repeating: 0, count: weights.count)
        for _ in 0..<picks { counts[balancer.pick()!] += 1 }
        let total = weights.reduce(0, +)
        for (server, weight) in weights.enumerated() {
            let expected = Double(picks * weight) / Double(total)
            #expect(abs(Double(counts[server]) - expected) < expected * 0.05, "server \(server): \(counts[server]) vs \(expected)")
        }
    }

    /// The most loaded server loses every draw it is in, since the other candidate is distinct.
    @Test(arguments: [
        ([1, 1, 1], [9, 0, 0], 0),
        ([1, 1, 1, 1], [1, 1, 5, 1], 2),
        // per weight: 12/3 = 4 loses to 3/1 and 2/1
        ([3, 1, 1], [12, 3, 2], 0),
    ] as [([Int], [Int], Int)])
    func theMostLoadedServerIsNeverPicked(weights: [Int], active: [Int], loser: Int) {
        var balancer = LoadBalancer(servers: servers(weights), algorithm: .powerOfTwoChoices, seed: 3)
        for (server, count) in active.enumerated() {
            for _ in 0..<count { balancer.requestStarted(on: server) }
        }
        for _ in 0..<2_000 { #expect(balancer.pick() != loser) }
    }

    @Test func loadSpreadsUnderConcurrency() {
        // Requests that never finish: p2c keeps in-flight counts within a small band.
        var balancer = LoadBalancer(servers: servers([1, 1, 1, 1, 1]), algorithm: .powerOfTwoChoices, seed: 5)
        for _ in 0..<1_000 { balancer.requestStarted(on: balancer.pick()!) }
        #expect(balancer.active.max()! - balancer.active.min()! <= 3, "\(balancer.active)")
    }

    @Test func oneServerLeftIsPicked() {
        var balancer = LoadBalancer(servers: servers([1, 1, 1]), algorithm: .powerOfTwoChoices)
        for _ in 0..<20 { #expect(balancer.pick(excluding: [0, 2]) == 1) }
        #expect(balancer.pick(excluding: [0, 1, 2]) == nil)
    }

    @Test func theSameSeedDrawsTheSameSequence() {
        var a = LoadBalancer(servers: servers([1, 2, 3]), algorithm: .powerOfTwoChoices, seed: 99)
        var b = LoadBalancer(servers: servers([1, 2, 3]), algorithm: .powerOfTwoChoices, seed: 99)
        #expect((0..<50).map { _ in a.pick()! } == (0..<50).map { _ in b.pick()! })
    }
}
