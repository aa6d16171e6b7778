import NIOCore

/// One shard of a ``ResponseCache``: the keys whose URI hashes to it, their variants, an LRU
/// order over keys, and the fills in flight. Not thread-safe: its ``ResponseCache`` holds the
/// shard's lock around every call, and no call does more than dictionary and list updates.
final class ResponseCacheShard {
    final class Node {
        let key: CacheKey
        var variants: [CachedResponse]
        var size: Int
        var newer: Node?
        var older: Node?

        init(key: CacheKey, variants: [CachedResponse], size: Int) {
            self.key = key
            self.variants = variants
            self.size = size
        }
    }

    /// Followers of a fill: each resumes on its own event loop when the leader is done.
    struct Fill {
        var started: Int64
        var waiters: [EventLoopPromise<Void>] = []
    }

    let budget: Int
    private(set) var bytes = 0
    private var nodes: [CacheKey: Node] = [:]
    private var byURI: [String: Set<CacheKey>] = [:]
    private var newest: Node?
    private var oldest: Node?
    private var fills: [CacheKey: Fill] = [:]

    init(budget: Int) {
        self.budget = budget
    }

    var keyCount: Int { nodes.count }
    var waiterCount: Int { fills.values.reduce(0) { $0 + $1.waiters.count } }

    /// The variants of `key`, marked most recently used.
    func variants(of key: CacheKey) -> [CachedResponse]? {
        guard let node = nodes[key] else { return nil }
        touch(node)
        return node.variants
    }

    /// Stores `entry`, replacing a variant with the same secondary key, and evicts the least
    /// recently used keys until the shard is within budget.
    func store(_ entry: CachedResponse, under key: CacheKey) {
        guard entry.size <= budget else { return }
        if let node = nodes[key] {
            node.variants.removeAll { $0.variant == entry.variant }
            node.variants.append(entry)
            let size = node.variants.reduce(0) { $0 + $1.size }
            bytes += size - node.size
            node.size = size
            touch(node)
        } else {
            let node = Node(key: key, variants: [entry], size: entry.size)
            nodes[key] = node
            byURI[key.uri, default: []].insert(key)
            bytes += entry.size
            link(node)
        }
        while bytes > budget, let victim = oldest {
            remove(victim)
        }
    }

    /// Removes one variant (e.g. one found unusable).
    func remove(_ entry: CachedResponse, under key: CacheKey) {
        guard let node = nodes[key] else { return }
        node.variants.removeAll { $0 === entry }
        if node.variants.isEmpty {
            remove(node)
        } else {
            bytes -= entry.size
            node.size -= entry.size
        }
    }

    /// Removes every key of `uri`; returns how many.
    func purge(uri: String) -> Int {
        guard let keys = byURI[uri] else { return 0 }
        for key in keys { if let node = nodes[key] { remove(node) } }
        return keys.count
    }

    /// Removes every key whose URI `matches`; returns how many.
    func purge(where matches: (String) -> Bool) -> Int {
        let uris = byURI.keys.filter(matches)
        return uris.reduce(0) { $0 + purge(uri: $1) }
    }

    // MARK: Fills in flight (request coalescing)

    /// Registers a fill for `key` unless one younger than `staleAfter` seconds runs; returns
    /// `nil` when the caller leads, or the future a follower waits on.
    func join(_ key: CacheKey, now: Int64, staleAfter: Int64, on eventLoop: any EventLoop) -> EventLoopFuture<Void>? {
        if var fill = fills[key], now - fill.started < staleAfter {
            let promise = eventLoop.makePromise(of: Void.self)
            fill.waiters.append(promise)
            fills[key] = fill
            return promise.futureResult
        }
        fills[key] = Fill(started: now)
        return nil
    }

    /// Registers a fill for `key` led by a request that waits for nobody; `false` when a fill
    /// younger than `staleAfter` seconds runs already.
    func lead(_ key: CacheKey, now: Int64, staleAfter: Int64) -> Bool {
        if let fill = fills[key], now - fill.started < staleAfter { return false }
        fills[key] = Fill(started: now, waiters: fills[key]?.waiters ?? [])
        return true
    }

    /// Ends the fill of `key`; the caller completes the returned waiters outside the lock.
    func finishFill(_ key: CacheKey) -> [EventLoopPromise<Void>] {
        fills.removeValue(forKey: key)?.waiters ?? []
    }

    // MARK: LRU list

    private func touch(_ node: Node) {
        guard newest !== node else { return }
        unlink(node)
        link(node)
    }

    private func link(_ node: Node) {
        node.older = newest
        node.newer = nil
        newest?.newer = node
        newest = node
        if oldest == nil { oldest = node }
    }

    private func unlink(_ node: Node) {
        node.newer?.older = node.older
        node.older?.newer = node.newer
        if newest === node { newest = node.older }
        if oldest === node { oldest = node.newer }
        node.newer = nil
        node.older = nil
    }

    private func remove(_ node: Node) {
        unlink(node)
        nodes[node.key] = nil
        byURI[node.key.uri]?.remove(node.key)
        if byURI[node.key.uri]?.isEmpty == true { byURI[node.key.uri] = nil }
        bytes -= node.size
    }
}

// Only ever touched inside the NIOLockedValueBox of its ResponseCache.
extension ResponseCacheShard: @unchecked Sendable {}
