import GatewayCore
import NIOCore
import NIOHTTP1

extension CachePolicy {
    public func apply(to response: inout ResponseContext, request: RequestContext) {
        guard let lookup = request.cache as? CacheLookup else { return }
        let status = response.status.code
        switch lookup.mode {
        case .answered:
            response.cacheResult = .hit
            return
        case .invalidate:
            response.cacheResult = .bypass
            if (200..<400).contains(status) { invalidate(lookup.key, response: response.headers, host: request.validated.host) }
            return
        case .bypass:
            response.cacheResult = .bypass
            response.headers.replaceOrAdd(name: "Cache-Status", value: "\(config.name); fwd=\(lookup.forward)")
            return
        case .lookup:
            break
        }
        let now = request.receivedAt
        response.cacheResult = .miss
        if let stale = lookup.stale {
            if status == 304, !response.isGatewayResponse {
                let refreshed = stale.refreshed(
                    with: response.headers, requestTime: lookup.requestTime, responseTime: now, defaultTTL: config.defaultTTL)
                cache.store(refreshed, under: lookup.key)
                end(lookup, .refreshed)
                serve(refreshed, as: "fwd=stale; fwd-status=304", to: request, response: &response)
                response.cacheResult = .revalidated
                return
            }
            if status >= 500, stale.freshness.withinStaleIfError(at: now) {
                end(lookup, .failed)
                serve(stale, as: "fwd=stale; fwd-status=\(status); detail=stale-if-error", to: request, response: &response)
                response.cacheResult = .stale
                return
            }
        }
        let decision = storability(of: response, request: request)
        guard case .storable = decision else {
            end(lookup, .failed)
            if case .notStorable(let reason) = decision {
                response.headers.replaceOrAdd(name: "Cache-Status", value: "\(config.name); fwd=\(lookup.forward); detail=\(reason)")
            }
            return
        }
        if lookup.isBackground { cache.recordBackgroundOutcome(.replaced) }
        let freshness = CacheFreshness(
            status: status, headers: response.headers, requestTime: lookup.requestTime, responseTime: now, defaultTTL: config.defaultTTL)
        response.bodyTransform = CacheCaptureFactory(
            inner: response.bodyTransform, cache: cache, key: lookup.key, status: response.status, headers: response.headers,
            freshness: freshness, variant: CacheVariant(vary: response.headers, request: request.inbound.headers), leader: lookup.leader)
        response.headers.replaceOrAdd(name: "Cache-Status", value: "\(config.name); fwd=\(lookup.forward); stored")
    }

    /// Ends what `lookup` leads without capturing a body: its fill, and a background refresh's
    /// count.
    private func end(_ lookup: CacheLookup, _ outcome: ResponseCache.BackgroundOutcome) {
        if lookup.leader { cache.finishFill(lookup.key) }
        if lookup.isBackground { cache.recordBackgroundOutcome(outcome) }
    }

    private func storability(of response: ResponseContext, request: RequestContext) -> CacheStorability {
        if response.isGatewayResponse { return .notStorable("gateway") }
        if let length = response.headers.first(name: "content-length").flatMap({ Int($0) }), length > config.maxObject {
            return .notStorable("too-large")
        }
        return CacheStorability.evaluate(
            method: request.inbound.method, requestHeaders: request.inbound.headers, status: response.status.code,
            responseHeaders: response.headers, hasDefaultTTL: config.defaultTTL != nil)
    }

    /// Answers with a stored entry instead of what arrived (a 304, or an error): its status,
    /// headers and bytes, or a 304 when the client's own conditional matches.
    private func serve(_ entry: CachedResponse, as status: String, to request: RequestContext, response: inout ResponseContext) {
        let now = request.receivedAt
        let keep = ["x-request-id", "server"].compactMap { name in response.headers.first(name: name).map { (name, $0) } }
        let notModified = CacheConditional.notModified(entry, request: request.inbound.headers)
        var headers = notModified ? CacheConditional.notModifiedHeaders(of: entry) : entry.headers
        for (name, value) in keep { headers.replaceOrAdd(name: name, value: value) }
        headers.add(name: "Age", value: String(entry.freshness.age(at: now)))
        headers.add(name: "Cache-Status", value: "\(config.name); \(status)")
        response.headers = headers
        response.status = notModified ? .notModified : entry.status
        let sendsBody = !notModified && request.inbound.method != .HEAD && entry.status.mayHaveResponseBody
        response.bodyTransform = sendsBody ? StoredBody(body: entry.body) : DiscardedBody()
    }

    /// RFC 9111 §4.4: the target URI, and `Location`/`Content-Location` when on the same host.
    private func invalidate(_ key: CacheKey, response: HTTPHeaders, host: String) {
        cache.purge(url: key.uri)
        for name in ["location", "content-location"] {
            guard let value = response.first(name: name), let uri = Self.sameHostURI(value, host: host) else { continue }
            cache.purge(url: uri)
        }
    }

    /// `host/path?query` of a same-host reference, absolute (`http(s)://host/…`) or a path.
    static func sameHostURI(_ reference: String, host: String) -> String? {
        let host = host.lowercased()
        if reference.hasPrefix("/") && !reference.hasPrefix("//") { return host + reference }
        for scheme in ["http://", "https://"] where reference.lowercased().hasPrefix(scheme) {
            let rest = reference.dropFirst(scheme.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            guard authority.lowercased() == host else { return nil }
            let path = rest.dropFirst(authority.count)
            return host + (path.hasPrefix("/") ? String(path) : "/" + path)
        }
        return nil
    }
}
