import GatewayCore
import GatewayPolicies

extension PlanCompiler {
    /// The caches of `plan` by their settings. A reload takes a cache over, entries and all,
    /// when its block compiles to the same settings (a changed `max_size`, `max_object`,
    /// `default_ttl`, `key_headers` or `coalesce_wait` starts it empty: entries were sized,
    /// keyed and timed under the old ones).
    static func reusableCaches(of plan: GatewayPlan?) -> [CacheConfig: ResponseCache] {
        guard let plan else { return [:] }
        var caches: [CacheConfig: ResponseCache] = [:]
        for case let cache as ResponseCache in plan.caches.values { caches[cache.config] = cache }
        return caches
    }

    /// The named caches (`cache NAME { … }`), one store each, shared by the routes naming them;
    /// an unchanged one is the running plan's.
    mutating func compileCaches(_ directives: [Directive], into defaults: inout PolicyDefaults) {
        for d in directives where d.name == "cache" {
            guard let name = value(d, 0, ValueParser.name), let block = d.block else { continue }
            if let existing = defaults.caches[name] {
                error(d.arguments[0].location, "cache", "cache '\(name)' is already defined at \(existing.location)", hint: "cache names must be unique")
                continue
            }
            var config = CacheConfig(name: name)
            for entry in block {
                switch entry.name {
                case "max_size": if let size = value(entry, 0, { ValueParser.size($0, in: 1024...(1 << 40)) }) { config.maxSize = size }
                case "max_object": if let size = value(entry, 0, { ValueParser.size($0, in: 1...(1 << 31)) }) { config.maxObject = size }
                case "default_ttl":
                    if entry.arguments.first?.text == "off" {
                        config.defaultTTL = nil
                    } else if let ttl = value(entry, 0, { ValueParser.duration($0) }) {
                        config.defaultTTL = max(1, ttl.nanoseconds / 1_000_000_000)
                    }
                case "key_headers": config.keyHeaders = entry.arguments.indices.compactMap { value(entry, $0, ValueParser.headerName)?.lowercased() }
                case "coalesce_wait": if let wait = value(entry, 0, { ValueParser.duration($0) }) { config.coalesceWait = max(1, wait.nanoseconds / 1_000_000_000) }
                default: break
                }
            }
            let shard = config.maxSize / ResponseCache.shardCount
            let maxObjectSet = block.contains { $0.name == "max_object" }
            if !maxObjectSet { config.maxObject = min(config.maxObject, shard) }
            if maxObjectSet, config.maxObject > shard {
                let largest = ValueParser.format(bytes: shard)
                error(
                    d.location, "cache", "max_object of cache '\(name)' is larger than a shard (\(largest) = max_size / \(ResponseCache.shardCount))",
                    hint: "lower max_object or raise max_size")
                defaults.invalidCaches.insert(name)
                continue
            }
            defaults.caches[name] = (reusableCaches[config] ?? ResponseCache(config: config), d.location)
        }
    }

    /// The cache a route names (`cache NAME;`), if any.
    mutating func compileRouteCache(_ route: [Directive], defaults: PolicyDefaults, used: inout Set<String>) -> CachePolicy? {
        let purge = first("cache_purge", in: route)
        if let purge, first("cache", in: route) == nil {
            error(purge.location, "cache_purge", "cache_purge needs a cache in this route", hint: "add 'cache NAME;' to the route, or remove cache_purge")
        }
        guard let d = first("cache", in: route), let name = value(d, 0, ValueParser.name) else { return nil }
        used.insert(name)
        guard let cache = defaults.caches[name]?.cache else {
            if defaults.invalidCaches.contains(name) { return nil }
            let defined = defaults.caches.keys.sorted()
            let hint = defined.isEmpty ? "no cache is defined; add 'cache \(name) { max_size 256m; }' at the top level" : Suggestion.hint(for: name, among: defined)
            error(d.arguments[0].location, "cache", "unknown cache '\(name)'", hint: hint)
            return nil
        }
        let purgeFrom = purge.map { purge in purge.arguments.indices.compactMap { value(purge, $0, ValueParser.cidrOrAll) } }
        return CachePolicy(cache: cache, purgeFrom: purgeFrom)
    }

    /// Warns about caches no route uses.
    mutating func warnUnused(_ caches: [String: (cache: ResponseCache, location: SourceLocation)], used: Set<String>) {
        for (name, entry) in caches.sorted(by: { $0.key < $1.key }) where !used.contains(name) {
            warn(entry.location, "cache", "cache '\(name)' is not used by any route", hint: "remove it, or 'cache \(name);' in a route")
        }
    }
}
