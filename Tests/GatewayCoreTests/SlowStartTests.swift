import GatewayCore
import NIOCore
import Testing

struct SlowStartTests {
    @Test(arguments: [
        (0, 100),
        (-5, 100),
        (10, 400),
        (15, 550),
        (29, 970),
        (30, 1000),
        (90, 1000),
    ])
    func weightGrowsLinearlyFromATenth(elapsedSeconds: Int64, permille: Int) {
        #expect(SlowStart.permille(elapsed: .seconds(elapsedSeconds), period: .seconds(30)) == permille)
    }

    @Test func noPeriodMeansFullWeight() {
        #expect(SlowStart.permille(elapsed: .zero, period: .zero) == SlowStart.full)
    }

    /// A ramping server gets its share of the smooth weighted round-robin: with weights in
    /// thousandths, one cycle of 10 000 + permille picks gives it exactly `permille` of them.
    @Test(arguments: [100, 550, 1000])
    func rampedWeightSharesRoundRobin(permille: Int) {
        let servers = [UpstreamServer(host: "10.0.0.1", port: 80, weight: 10), UpstreamServer(host: "10.0.0.2", port: 80, weight: 1)]
        var balancer = LoadBalancer(servers: servers, algorithm: .roundRobin)
        balancer.setWeight(of: 1, permille: permille)
        var picked = [0, 0]
        for _ in 0..<(10_000 + permille) {
            if let index = balancer.pick() { picked[index] += 1 }
        }
        #expect(picked == [10_000, permille])
    }

    /// A server marked unavailable (health check) is never picked, even when every other one is
    /// down (ejected) or already tried; with all unavailable there is none.
    @Test func unavailableServersAreNeverPicked() {
        let servers = (1...3).map { UpstreamServer(host: "10.0.0.\($0)", port: 80) }
        for algorithm in [BalanceAlgorithm.roundRobin, .leastConnections, .powerOfTwoChoices, .hash(.clientIP)] {
            var balancer = LoadBalancer(servers: servers, algorithm: algorithm, seed: 7)
            let unavailable = [false, true, false]
            for key: UInt64 in 0..<50 {
                let index = balancer.pick(unavailable: unavailable, hashKey: key)
                #expect(index == 0 || index == 2, "\(algorithm)")
            }
            #expect(balancer.pick(down: [true, false, true], unavailable: unavailable, hashKey: 1) != 1, "panic routing skips unavailable servers")
            #expect(balancer.pick(excluding: [0, 2], unavailable: unavailable, hashKey: 1) == nil)
            #expect(balancer.pick(unavailable: [true, true, true], hashKey: 1) == nil)
        }
    }
}
