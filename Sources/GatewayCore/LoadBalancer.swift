/// Picks servers of one upstream group for one event loop.
///
/// Not Sendable: one instance per (upstream, event loop), so picking takes no lock. Weighted
/// round-robin is nginx's smooth weighted algorithm (no bursts to the heaviest server);
/// least-connections breaks ties by weight, then round-robin order; power-of-two-choices draws two
/// distinct servers by weight and takes the less loaded (the first drawn on a tie); consistent
/// hashing walks a ``HashRing`` and falls back to round-robin for requests without the key.
///
/// Servers marked `down` (ejected by outlier detection) are skipped while any other server is
/// left; when every server not yet tried is down, they are picked anyway (panic routing, as Envoy
/// does): a possibly dead server beats a certain 503. Servers marked `unavailable` (failing active
/// health checks) are never picked: a probe saw them fail, so no request is sent there.
///
/// Weights are kept in thousandths of the configured ones (``SlowStart``), so that a server coming
/// back can ramp up through ``setWeight(of:permille:)``; every algorithm that weighs servers sees the
/// ramped weight (consistent hashing keeps its ring: a key's server does not move while it ramps).
public struct LoadBalancer {
    public let servers: [UpstreamServer]
    public let algorithm: BalanceAlgorithm
    private var currentWeights: [Int]
    /// Each server's weight × ``SlowStart/full``, or less while it ramps up.
    public private(set) var weights: [Int]
    /// In-flight requests per server on this loop.
    public private(set) var active: [Int]
    private var cursor = 0
    private let ring: HashRing?
    private var randomState: UInt64

    /// `seed` drives power-of-two-choices' draws (fixed in tests, random in the server).
    public init(servers: [UpstreamServer], algorithm: BalanceAlgorithm, seed: UInt64 = 0) {
        self.servers = servers
        self.algorithm = algorithm
        self.currentWeights = Array(repeating: 0, count: servers.count)
        self.weights = servers.map { $0.weight * SlowStart.full }
        self.active = Array(repeating: 0, count: servers.count)
        self.randomState = seed
        if case .hash = algorithm { ring = HashRing(servers: servers) } else { ring = nil }
    }

    /// The index of the next server, skipping those in `excluded` (already tried for this
    /// request) or marked in `unavailable`, and, while others are left, those marked in `down`;
    /// `nil` when none is left. `hashKey` is the request's key under consistent hashing.
    public mutating func pick(
        excluding excluded: Set<Int> = [], down: [Bool]? = nil, unavailable: [Bool]? = nil, hashKey: UInt64? = nil
    ) -> Int? {
        guard excluded.count < servers.count else { return nil }
        // Never picked: tried already, or failing health checks. `down` only while others are left.
        let barred = { (i: Int) in excluded.contains(i) || unavailable?[i] == true }
        if let down, let index = pick(hashKey: hashKey, skip: { barred($0) || down[$0] }) { return index }
        return pick(hashKey: hashKey, skip: barred)
    }

    /// Sets `server`'s weight to `permille` thousandths of its configured one (slow start).
    public mutating func setWeight(of server: Int, permille: Int) {
        weights[server] = max(1, servers[server].weight * permille)
    }

    private mutating func pick(hashKey: UInt64?, skip: (Int) -> Bool) -> Int? {
        switch algorithm {
        case .roundRobin: return pickSmoothWeighted(skip: skip)
        case .leastConnections: return pickLeastConnections(skip: skip)
        case .powerOfTwoChoices: return pickTwoChoices(skip: skip)
        case .hash:
            guard let ring, let hashKey else { return pickSmoothWeighted(skip: skip) }
            return ring.server(for: hashKey, skip: skip)
        }
    }

    private mutating func pickSmoothWeighted(skip: (Int) -> Bool) -> Int? {
        var best: Int? = nil
        var total = 0
        for i in servers.indices where !skip(i) {
            currentWeights[i] += weights[i]
            total += weights[i]
            if best == nil || currentWeights[i] > currentWeights[best!] { best = i }
        }
        if let best { currentWeights[best] -= total }
        return best
    }

    private mutating func pickLeastConnections(skip: (Int) -> Bool) -> Int? {
        var best: Int? = nil
        let n = servers.count
        for step in 0..<n {
            let i = (cursor + step) % n
            if skip(i) { continue }
            guard let b = best else { best = i; continue }
            if lessLoaded(i, than: b) || (!lessLoaded(b, than: i) && weights[i] > weights[b]) { best = i }
        }
        if let best { cursor = (best + 1) % n }
        return best
    }

    /// active/weight of `a` below that of `b`, compared without division.
    private func lessLoaded(_ a: Int, than b: Int) -> Bool {
        active[a] * weights[b] < active[b] * weights[a]
    }

    private mutating func pickTwoChoices(skip: (Int) -> Bool) -> Int? {
        guard let first = drawByWeight(skip: skip) else { return nil }
        guard let second = drawByWeight(skip: { $0 == first || skip($0) }) else { return first }
        return lessLoaded(second, than: first) ? second : first
    }

    /// A server drawn with probability proportional to its weight among those not skipped.
    private mutating func drawByWeight(skip: (Int) -> Bool) -> Int? {
        var total = 0
        for i in servers.indices where !skip(i) { total += weights[i] }
        guard total > 0 else { return nil }
        var ticket = Int(nextRandom() % UInt64(total))
        for i in servers.indices where !skip(i) {
            ticket -= weights[i]
            if ticket < 0 { return i }
        }
        return nil
    }

    /// SplitMix64.
    private mutating func nextRandom() -> UInt64 {
        randomState &+= 0x9e37_79b9_7f4a_7c15
        return StableHash.mix(randomState)
    }

    public mutating func requestStarted(on server: Int) { active[server] += 1 }
    public mutating func requestFinished(on server: Int) { active[server] = max(0, active[server] - 1) }
}
