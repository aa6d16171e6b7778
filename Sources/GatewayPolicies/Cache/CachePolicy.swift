import GatewayCore
import NIOCore
import NIOHTTP1

/// A route's shared response cache (RFC 9111): the last request policy (lookup) and a response
/// policy after compression (store), so the stored variant is the one clients receive and a hit
/// costs no compression.
///
/// Lookup: a fresh stored variant is answered at once (`Age`, `Cache-Status: NAME; hit`), or
/// 304 for a matching client conditional; a stale one within `stale-while-revalidate` is
/// answered at once (a GET also starts one background refresh per key, coalesced with the key's
/// fill); any other stale one is revalidated with its validators before answering;
/// concurrent misses of one key wait for the first (bounded by `coalesce_wait`). Store: only
/// what ``CacheStorability`` allows, up to `max_object`; a 304 refreshes the entry; a 5xx or
/// gateway error within `stale-if-error` is answered with the stale entry; a successful unsafe
/// method invalidates the target URI and its `Location`/`Content-Location`.
///
/// With `cache_purge`, a `PURGE` of a URL from a listed client address removes every stored
/// variant of it and is answered 200 `{"purged":N}` (N keys); from other addresses, 403.
public struct CachePolicy: RequestPolicy, ResponsePolicy {
    public let cache: ResponseCache
    /// Client addresses that may `PURGE` (`nil` in the list: all); `nil`: PURGE is not handled.
    public let purgeFrom: [CIDR?]?

    public var name: String { "cache" }
    var config: CacheConfig { cache.config }

    public init(cache: ResponseCache, purgeFrom: [CIDR?]? = nil) {
        self.cache = cache
        self.purgeFrom = purgeFrom
    }

    // MARK: Lookup

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        let now = request.receivedAt
        let target = request.validated.target
        let headers = request.inbound.headers
        let key = CacheKey(host: request.validated.host, path: target.path, query: target.query, extraHeaders: config.keyHeaders, from: headers)
        switch request.inbound.method {
        case .GET, .HEAD:
            break
        case .POST, .PUT, .PATCH, .DELETE:
            request.cache = CacheLookup(mode: .invalidate, key: key, forward: "method", requestTime: now)
            return .proceed
        case .PURGE where purgeFrom != nil:
            request.cache = CacheLookup(mode: .answered, key: key, forward: "method", requestTime: now)
            return purge(key, from: request.clientAddress)
        default:
            request.cache = CacheLookup(mode: .bypass, key: key, forward: "method", requestTime: now)
            return .proceed
        }
        if headers.contains(name: "range") {
            request.cache = CacheLookup(mode: .bypass, key: key, forward: "bypass", requestTime: now)
            return .proceed
        }
        let control = CacheControl(headers)
        let (found, keyKnown) = cache.lookup(key, request: headers)
        var lookup = CacheLookup(mode: .lookup, key: key, forward: keyKnown ? "vary-miss" : "uri-miss", requestTime: now)
        if let entry = found {
            if Self.usable(entry, control: control, at: now) {
                lookup.mode = .answered
                request.cache = lookup
                return .respond(hit(entry, request: headers, at: now))
            }
            // Stale, or the client asked for validation: revalidate when there is a validator;
            // keep the entry for stale-if-error either way.
            lookup.forward = control.noCache || control.maxAge != nil || control.minFresh != nil ? "request" : "stale"
            lookup.stale = entry
            if lookup.forward == "stale", Self.servableWhileRevalidating(entry, at: now) {
                // RFC 5861 §3: answered stale at once; one GET per key refreshes it afterwards.
                lookup.mode = .answered
                lookup.refreshesInBackground = request.inbound.method == .GET && cache.leadFill(key, now: now)
                request.cache = lookup
                let status = "\(config.name); hit; ttl=\(entry.freshness.remaining(at: now)); detail=stale-while-revalidate"
                return .respond(answer(entry, status: status, request: headers, at: now))
            }
            if CacheConditional.hasValidator(entry) { CacheConditional.revalidate(entry, headers: &request.upstreamHeaders) }
            request.cache = lookup
            return .proceed
        }
        // A HEAD fills nothing, and a client's no-cache must not be answered by another's fill.
        guard request.inbound.method == .GET, !control.noCache else {
            request.cache = lookup
            return .proceed
        }
        guard let wait = cache.joinFill(key, now: now, on: eventLoop) else {
            lookup.leader = true
            request.cache = lookup
            return .proceed
        }
        return .pendingUpdate(follow(wait, lookup: lookup, headers: headers, on: eventLoop))
    }

    /// Waits (at most `coalesce_wait`) for the request filling the key, then answers from what it
    /// stored or goes upstream itself.
    private func follow(
        _ wait: EventLoopFuture<Void>, lookup: CacheLookup, headers: HTTPHeaders, on eventLoop: any EventLoop
    ) -> EventLoopFuture<PolicyUpdate> {
        let done = eventLoop.makePromise(of: Void.self)
        wait.cascade(to: done)
        let timeout = eventLoop.scheduleTask(in: .seconds(config.coalesceWait)) { done.succeed(()) }
        let now = lookup.requestTime
        return done.futureResult.map { [self] in
            timeout.cancel()
            var lookup = lookup
            if let entry = cache.lookup(lookup.key, request: headers).entry, Self.usable(entry, control: CacheControl(headers), at: now) {
                lookup.mode = .answered
                let answered = lookup
                return PolicyUpdate(decision: .respond(hit(entry, request: headers, at: now))) { $0.cache = answered }
            }
            lookup.forward = "miss"
            let missed = lookup
            return PolicyUpdate(decision: .proceed) { $0.cache = missed }
        }
    }

    /// Whether `entry` may answer without asking the upstream (§4.2, with the request's
    /// `no-cache`, `max-age` and `min-fresh`, §5.2.1).
    static func usable(_ entry: CachedResponse, control: CacheControl, at now: Int64) -> Bool {
        let freshness = entry.freshness
        guard freshness.isFresh(at: now), !freshness.control.noCache, !control.noCache else { return false }
        if let maxAge = control.maxAge, freshness.age(at: now) > Int64(maxAge) { return false }
        if let minFresh = control.minFresh, freshness.remaining(at: now) < Int64(minFresh) { return false }
        return true
    }

    /// `PURGE` (`cache_purge`): every variant of the target URI, for listed addresses only.
    private func purge(_ key: CacheKey, from client: IPAddress?) -> PolicyDecision {
        guard let client, let purgeFrom, purgeFrom.contains(where: { $0?.contains(client) ?? true }) else {
            return .reject(.addressDenied)
        }
        let removed = cache.purge(url: key.uri)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Cache-Control", value: "no-store")
        return .respond(GatewayResponse(status: .ok, headers: headers, body: ByteBuffer(string: #"{"purged":\#(removed)}"#)))
    }

    /// Whether a stale `entry` may be answered while it is refreshed in the background: within
    /// its `stale-while-revalidate` window, and not marked `no-cache` (which wants every use
    /// validated).
    static func servableWhileRevalidating(_ entry: CachedResponse, at now: Int64) -> Bool {
        !entry.freshness.control.noCache && entry.freshness.withinStaleWhileRevalidate(at: now)
    }

    private func hit(_ entry: CachedResponse, request: HTTPHeaders, at now: Int64) -> GatewayResponse {
        answer(entry, status: "\(config.name); hit; ttl=\(entry.freshness.remaining(at: now))", request: request, at: now)
    }

    /// A stored entry as the answer, or a 304 when the client's own conditional matches it.
    private func answer(_ entry: CachedResponse, status: String, request: HTTPHeaders, at now: Int64) -> GatewayResponse {
        if CacheConditional.notModified(entry, request: request) {
            var headers = CacheConditional.notModifiedHeaders(of: entry)
            headers.add(name: "Age", value: String(entry.freshness.age(at: now)))
            headers.add(name: "Cache-Status", value: status)
            return GatewayResponse(status: .notModified, headers: headers)
        }
        var headers = entry.headers
        headers.add(name: "Age", value: String(entry.freshness.age(at: now)))
        headers.add(name: "Cache-Status", value: status)
        return GatewayResponse(status: entry.status, headers: headers, body: entry.body)
    }
}
