/// Picks servers of one upstream group for one event loop.
///
/// Not Sendable: one instance per (upstream, event loop), so picking takes no lock. Weighted
/// round-robin is nginx's smooth weighted algorithm (no bursts to the heaviest server);
/// least-connections breaks ties by weight, then round-robin order.
public struct LoadBalancer {
    public let servers: [UpstreamServer]
    public let algorithm: BalanceAlgorithm
    private var currentWeights: [Int]
    /// In-flight requests per server on this loop.
    public private(set) var active: [Int]
    private var cursor = 0

    public init(servers: [UpstreamServer], algorithm: BalanceAlgorithm) {
        self.servers = servers
        self.algorithm = algorithm
        self.currentWeights = Array(repeating: 0, count: servers.count)
        self.active = Array(repeating: 0, count: servers.count)
    }

    /// The index of the next server, skipping those in `excluded` (already tried for this
    /// request); `nil` when none is left.
    public mutating func pick(excluding excluded: Set<Int> = []) -> Int? {
        guard excluded.count < servers.count else { return nil }
        switch algorithm {
        case .roundRobin: return pickSmoothWeighted(excluding: excluded)
        case .leastConnections: return pickLeastConnections(excluding: excluded)
        }
    }

    private mutating func pickSmoothWeighted(excluding excluded: Set<Int>) -> Int? {
        var best: Int? = nil
        var total = 0
        for i in servers.indices where !excluded.contains(i) {
            currentWeights[i] += servers[i].weight
            total += servers[i].weight
            if best == nil || currentWeights[i] > currentWeights[best!] { best = i }
        }
        if let best { currentWeights[best] -= total }
        return best
    }

    private mutating func pickLeastConnections(excluding excluded: Set<Int>) -> Int? {
        var best: Int? = nil
        let n = servers.count
        for step in 0..<n {
            let i = (cursor + step) % n
            if excluded.contains(i) { continue }
            guard let b = best else { best = i; continue }
            // Compare active/weight without division: a/wa < b/wb  ⇔  a*wb < b*wa.
            let lhs = active[i] * servers[b].weight, rhs = active[b] * servers[i].weight
            if lhs < rhs || (lhs == rhs && servers[i].weight > servers[b].weight) { best = i }
        }
        if let best { cursor = (best + 1) % n }
        return best
    }

    public mutating func requestStarted(on server: Int) { active[server] += 1 }
    public mutating func requestFinished(on server: Int) { active[server] = max(0, active[server] - 1) }
}
