import GatewayCore
import NIOHTTP1
import Testing

private func servers(_ count: Int, weight: Int = 1) -> [UpstreamServer] {
    (0..<count).map { UpstreamServer(host: "10.0.2.\($0 + 1)", port: 8080, weight: weight) }
}

private let keys = (0..<20_000).map { StableHash.hash("user-\($0)") }

/// Which server (by address) owns each key.
private func owners(_ group: [UpstreamServer], down: [Bool]? = nil) -> [String] {
    var balancer = LoadBalancer(servers: group, algorithm: .hash(.clientIP))
    return keys.map { group[balancer.pick(down: down, hashKey: $0)!].description }
}

struct ConsistentHashTests {
    @Test(arguments: [3, 5, 10])
    func keysSpreadEvenly(count: Int) {
        let counts = Dictionary(grouping: owners(servers(count)), by: { $0 }).mapValues(\.count)
        #expect(counts.count == count)
        let fair = Double(keys.count) / Double(count)
        for (server, n) in counts {
            #expect(abs(Double(n) - fair) < fair * 0.3, "\(server): \(n) vs \(fair)")
        }
    }

    @Test func weightsScaleTheShare() {
        var group = servers(3)
        group[0].weight = 3
        let counts = Dictionary(grouping: owners(group), by: { $0 }).mapValues(\.count)
        let share = Double(counts[group[0].description]!) / Double(keys.count)
        #expect(abs(share - 0.6) < 0.08, "\(share)")
    }

    /// Removing one of N servers from the configuration moves only its keys: about 1/N.
    @Test(arguments: [(5, 2), (10, 0), (10, 9), (20, 7)])
    func removingAServerMovesOnlyItsKeys(count: Int, removed: Int) {
        let group = servers(count)
        let before = owners(group)
        var smaller = group
        smaller.remove(at: removed)
        let after = owners(smaller)
        let gone = group[removed].description
        var moved = 0
        for (b, a) in zip(before, after) where b != a {
            moved += 1
            #expect(b == gone)
        }
        let share = Double(moved) / Double(keys.count)
        #expect(abs(share - 1 / Double(count)) < 0.4 / Double(count), "moved \(share)")
    }

    /// Marking a server down (ejected, failing health checks) moves only its keys, and they come
    /// back when it does.
    @Test func aDownServerMovesOnlyItsKeysAndGetsThemBack() {
        let group = servers(8)
        let before = owners(group)
        var down = Array(repeating: false, count: 8)
        down[3] = true
        let during = owners(group, down: down)
        for (b, d) in zip(before, during) where b != d { #expect(b == group[3].description) }
        #expect(!during.contains(group[3].description))
        #expect(owners(group, down: Array(repeating: false, count: 8)) == before)
    }

    @Test func addingAServerTakesAboutItsShare() {
        let before = owners(servers(9))
        let after = owners(servers(10))
        let moved = zip(before, after).filter { $0 != $1 }
        #expect(moved.allSatisfy { $0.1 == "10.0.2.10:8080" })
        let share = Double(moved.count) / Double(keys.count)
        #expect(abs(share - 0.1) < 0.04, "\(share)")
    }

    @Test func retriesWalkToTheNextServer() {
        var balancer = LoadBalancer(servers: servers(4), algorithm: .hash(.path))
        let key = StableHash.hash("/a")
        let first = balancer.pick(hashKey: key)!
        let second = balancer.pick(excluding: [first], hashKey: key)!
        #expect(second != first)
        #expect(balancer.pick(hashKey: key) == first)
    }

    @Test func requestsWithoutTheKeyAreSpreadRoundRobin() {
        var balancer = LoadBalancer(servers: servers(3), algorithm: .hash(.header("x-user")))
        #expect((0..<6).map { _ in balancer.pick()! } == [0, 1, 2, 0, 1, 2])
    }

    @Test(arguments: [
        (BalanceHashKey.clientIP, "10.1.2.3"),
        (.header("x-user"), "alice"),
        (.cookie("session"), "s1"),
        (.path, "/orders/7"),
    ])
    func keysComeFromTheRequest(key: BalanceHashKey, value: String) {
        let headers: HTTPHeaders = ["X-User": "alice", "Cookie": "theme=dark; session=s1", "Cookie": "other=1"]
        let hash = key.hash(clientAddress: IPAddress("10.1.2.3"), headers: headers, path: "/orders/7")
        #expect(hash == StableHash.hash(value))
    }

    @Test func missingKeysHashToNil() {
        #expect(BalanceHashKey.header("x-user").hash(clientAddress: nil, headers: [:], path: "/") == nil)
        #expect(BalanceHashKey.cookie("sid").hash(clientAddress: nil, headers: ["Cookie": "sidx=1; a=sid"], path: "/") == nil)
        #expect(BalanceHashKey.clientIP.hash(clientAddress: nil, headers: [:], path: "/") == nil)
    }

    @Test func theHashIsStableAcrossProcesses() {
        // Fixed values: a fleet of gateways must agree on where a key goes.
        #expect(StableHash.hash("") == StableHash.mix(0xcbf2_9ce4_8422_2325))
        #expect(StableHash.hash("a") != StableHash.hash("b"))
    }
}
