/// A consistent-hash ring of virtual nodes for one upstream group.
///
/// Each server gets virtual nodes in proportion to its weight (160 for the heaviest), placed by
/// hashing its address and the node number, so a node's place depends on the server alone, not
/// on its index or the other servers. A key belongs to the first node at or after its hash;
/// when that server is skipped (down, ejected, already tried) the walk continues clockwise, so
/// only the keys of a missing server move, and they spread over the others.
public struct HashRing: Sendable {
    private let points: [UInt64]
    private let owners: [Int]
    public let serverCount: Int

    static let nodesForHeaviest = 160

    public init(servers: [UpstreamServer]) {
        let heaviest = servers.map(\.weight).max() ?? 1
        var nodes: [(UInt64, Int)] = []
        for (index, server) in servers.enumerated() {
            let count = max(1, (Self.nodesForHeaviest * server.weight + heaviest - 1) / heaviest)
            let name = server.description
            for node in 0..<count { nodes.append((StableHash.hash("\(name)#\(node)"), index)) }
        }
        nodes.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        self.points = nodes.map(\.0)
        self.owners = nodes.map(\.1)
        self.serverCount = servers.count
    }

    /// The server owning `key`, walking past servers for which `skip` is true; `nil` when every
    /// server is skipped.
    public func server(for key: UInt64, skip: (Int) -> Bool) -> Int? {
        guard !points.isEmpty else { return nil }
        var low = 0, high = points.count
        while low < high {
            let mid = (low + high) / 2
            if points[mid] < key { low = mid + 1 } else { high = mid }
        }
        for step in 0..<points.count {
            let owner = owners[(low + step) % points.count]
            if !skip(owner) { return owner }
        }
        return nil
    }
}
