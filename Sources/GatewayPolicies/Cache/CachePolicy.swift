import GatewayCore
import NIOCore
import NIOHTTP1

/// A route's shared response cache (RFC 9111): the last request policy (lookup) and a response
/// policy after compression (store), so the stored variant is the one clients receive and a hit
/// costs no compression.
///
/// Lookup: a fresh stored variant is answered at once (`Age`, `Cache-Status: NAME; hit`), or
/// 304 for a matching client conditional; a stale one is revalidated with its validators;
/// concurrent misses of one key wait for the first (bounded by `coalesce_wait`). Store: only
/// what ``CacheStorability`` allows, up to `max_object`; a 304 refreshes the entry; a 5xx or
/// gateway error within `stale-if-error` is answered with the stale entry; a successful unsafe
/// method invalidates the target URI and its `Location`/`Content-Location`.
public struct CachePolicy: RequestPolicy, ResponsePolicy {
    public let cache: ResponseCache

    public var name: String { "cache" }
    var config: CacheConfig { cache.config }

    public init(cache: ResponseCache) {
        self.cache = cache
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
                return .respond(hit(entry, request: headers, method: request.inbound.method, at: now))
            }
            // Stale, or the client asked for validation: revalidate when there is a validator;
            // keep the entry for stale-if-error either way.
            lookup.forward = control.noCache || control.maxAge != nil || control.minFresh != nil ? "request" : "stale"
            lookup.stale = entry
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
        return .pendingUpdate(follow(wait, lookup: lookup, headers: headers, method: request.inbound.method, on: eventLoop))
    }

    /// Waits (at most `coalesce_wait`) for the request filling the key, then answers from what it
    /// stored or goes upstream itself.
    private func follow(
        _ wait: EventLoopFuture<Void>, lookup: CacheLookup, headers: HTTPHeaders, method: HTTPMethod, on eventLoop: any EventLoop
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
                return PolicyUpdate(decision: .respond(hit(entry, request: headers, method: method, at: now))) { $0.cache = answered }
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

    private func hit(_ entry: CachedResponse, request: HTTPHeaders, method: HTTPMethod, at now: Int64) -> GatewayResponse {
        let status = "\(config.name); hit; ttl=\(entry.freshness.remaining(at: now))"
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
