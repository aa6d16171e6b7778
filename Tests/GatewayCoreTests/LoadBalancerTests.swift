import GatewayCore
import Testing

private func servers(_ weights: [Int]) -> [UpstreamServer] {
    weights.enumerated().map { UpstreamServer(host: "10.0.0.\($0.offset + 1)", port: 80, weight: $0.element) }
}

/// Picks as letters: server 0 is `a`, 1 is `b`, …; `-` for nil.
private func picks(_ balancer: inout LoadBalancer, _ count: Int, excluding excluded: Set<Int> = []) -> String {
    var out = ""
    for _ in 0..<count {
        if let index = balancer.pick(excluding: excluded) {
            out.append(Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(index))))
        } else {
            out.append("-")
        }
    }
    return out
}

struct LoadBalancerTests {
    // MARK: Smooth weighted round-robin

    @Test(arguments: [
        // nginx's smooth weighted round-robin: no burst to the heaviest server
        ([5, 1, 1], "aabacaa" + "aabacaa"),
        ([1, 1, 1], "abcabc"),
        ([2, 1], "aba" + "aba"),
        ([3, 2], "ababa" + "ababa"),
        ([1, 2], "bab"),
        ([1], "aaaa"),
        ([4, 2, 1], "abacaba"),
    ])
    func smoothWeightedSequence(weights: [Int], expected: String) {
        var balancer = LoadBalancer(servers: servers(weights), algorithm: .roundRobin)
        #expect(picks(&balancer, expected.count) == expected)
    }

    @Test(arguments: [[5, 1, 1], [3, 2], [10, 1], [1, 1, 1, 1]])
    func distributionFollowsWeights(weights: [Int]) {
        var balancer = LoadBalancer(servers: servers(weights), algorithm: .roundRobin)
        let rounds = 50
        var counts = Array(repeating: 0, count: weights.count)
        for _ in 0..<(rounds * weights.reduce(0, +)) {
            counts[balancer.pick()!] += 1
        }
        #expect(counts == weights.map { $0 * rounds })
    }

    @Test(arguments: [
        ([1, 1, 1], Set([0]), "bcbcbc"),
        ([1, 1, 1], Set([1]), "acac"),
        ([1, 1, 1], Set([0, 1]), "ccc"),
        ([1, 1, 1], Set([0, 1, 2]), "---"),
        ([5, 1, 1], Set([0]), "bcbc"),
        ([2], Set([0]), "--"),
    ])
    func roundRobinSkipsExcluded(weights: [Int], excluded: Set<Int>, expected: String) {
        var balancer = LoadBalancer(servers: servers(weights), algorithm: .roundRobin)
        #expect(picks(&balancer, expected.count, excluding: excluded) == expected)
    }

    @Test func exclusionForOneRequestDoesNotDisturbTheCycle() {
        var balancer = LoadBalancer(servers: servers([1, 1, 1]), algorithm: .roundRobin)
        #expect(picks(&balancer, 1) == "a")
        #expect(picks(&balancer, 1, excluding: [1]) == "c")
        #expect(picks(&balancer, 3) == "bca")
    }

    @Test(arguments: [BalanceAlgorithm.roundRobin, .leastConnections, .powerOfTwoChoices, .hash(.path)])
    func noServersPicksNothing(algorithm: BalanceAlgorithm) {
        var balancer = LoadBalancer(servers: [], algorithm: algorithm)
        #expect(balancer.pick() == nil)
        #expect(balancer.pick(down: [], hashKey: 42) == nil)
    }

    // MARK: Least connections

    @Test func leastConnectionsRotatesWhenIdle() {
        var balancer = LoadBalancer(servers: servers([1, 1, 1]), algorithm: .leastConnections)
        #expect(picks(&balancer, 7) == "abcabca")
    }

    @Test(arguments: [
        // weights, active per server, expected pick
        ([1, 1, 1], [2, 1, 0], 2),
        ([1, 1, 1], [0, 1, 2], 0),
        ([1, 1, 1], [1, 0, 1], 1),
        ([1, 1, 1], [5, 5, 4], 2),
        // active / weight is compared: 2/3 < 1/1
        ([3, 1], [2, 1], 0),
        // 4/3 > 1/1
        ([3, 1], [4, 1], 1),
        // equal load: the heavier server wins
        ([1, 2], [1, 2], 1),
        ([2, 1], [2, 1], 0),
        ([1, 5], [0, 0], 1),
    ] as [([Int], [Int], Int)])
    func leastConnectionsComparesActivePerWeight(weights: [Int], active: [Int], expected: Int) {
        var balancer = LoadBalancer(servers: servers(weights), algorithm: .leastConnections)
        for (server, count) in active.enumerated() {
            for _ in 0..<count { balancer.requestStarted(on: server) }
        }
        #expect(balancer.active == active)
        #expect(balancer.pick() == expected)
    }

    @Test func leastConnectionsFollowsStartedAndFinished() {
        var balancer = LoadBalancer(servers: servers([1, 1]), algorithm: .leastConnections)
        let first = balancer.pick()!
        balancer.requestStarted(on: first)
        let second = balancer.pick()!
        #expect(second != first)
        balancer.requestStarted(on: second)
        balancer.requestStarted(on: second)
        #expect(balancer.pick() == first)
        balancer.requestFinished(on: second)
        balancer.requestFinished(on: second)
        balancer.requestFinished(on: second)
        #expect(balancer.active[second] == 0)
        #expect(balancer.pick() == second)
    }

    @Test(arguments: [
        (Set([0]), Set([1, 2])),
        (Set([2]), Set([0, 1])),
        (Set([0, 2]), Set([1])),
    ])
    func leastConnectionsSkipsExcluded(excluded: Set<Int>, allowed: Set<Int>) {
        var balancer = LoadBalancer(servers: servers([1, 1, 1]), algorithm: .leastConnections)
        balancer.requestStarted(on: 2)
        for _ in 0..<6 {
            let index = balancer.pick(excluding: excluded)
            #expect(index.map(allowed.contains) == true)
        }
    }

    @Test func leastConnectionsWithEverythingExcludedPicksNothing() {
        var balancer = LoadBalancer(servers: servers([1, 1]), algorithm: .leastConnections)
        #expect(balancer.pick(excluding: [0, 1]) == nil)
    }

    // MARK: Servers marked down

    @Test(arguments: [BalanceAlgorithm.roundRobin, .leastConnections, .powerOfTwoChoices, .hash(.path)])
    func downServersAreSkippedWhileOthersAreLeft(algorithm: BalanceAlgorithm) {
        var balancer = LoadBalancer(servers: servers([1, 1, 1]), algorithm: algorithm, seed: 7)
        for key in 0..<200 as Range<UInt64> {
            #expect(balancer.pick(down: [false, true, false], hashKey: StableHash.mix(key)) != 1)
        }
    }

    @Test(arguments: [BalanceAlgorithm.roundRobin, .leastConnections, .powerOfTwoChoices, .hash(.path)])
    func everyServerDownStillPicksOne(algorithm: BalanceAlgorithm) {
        var balancer = LoadBalancer(servers: servers([1, 1, 1]), algorithm: algorithm, seed: 7)
        #expect(balancer.pick(down: [true, true, true], hashKey: 1) != nil)
        // Down and untried beats nothing; tried is never picked again.
        #expect(balancer.pick(excluding: [0, 2], down: [false, true, false], hashKey: 1) == 1)
        #expect(balancer.pick(excluding: [0, 1, 2], down: [false, false, false], hashKey: 1) == nil)
    }
}
