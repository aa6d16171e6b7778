import NIOHTTP1

/// Client conditionals answered from a stored response (RFC 9110 §13.1.2, §13.1.3; RFC 9111
/// §4.3.2), and the validators a revalidation sends upstream (§4.3.1).
public enum CacheConditional {
    /// Whether `request`'s `If-None-Match` (or, without it, `If-Modified-Since`) is satisfied by
    /// `entry`, so the answer is 304.
    public static func notModified(_ entry: CachedResponse, request: HTTPHeaders) -> Bool {
        let tags = request[canonicalForm: "if-none-match"]
        if !tags.isEmpty {
            guard let etag = entry.etag else { return false }
            return tags.contains { $0 == "*" || weakMatch(String($0), etag) }
        }
        guard let since = request.first(name: "if-modified-since").flatMap(HTTPDate.parse),
            let modified = entry.lastModified ?? entry.headers.first(name: "date").flatMap(HTTPDate.parse)
        else { return false }
        return modified <= since
    }

    /// Weak comparison: equal opaque tags, either or both may be weak.
    public static func weakMatch(_ a: String, _ b: String) -> Bool {
        func opaque(_ tag: String) -> Substring { tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag) }
        return opaque(a) == opaque(b)
    }

    /// The 304 for a stored response: the fields RFC 9110 §15.4.5 requires, nothing of the body.
    public static func notModifiedHeaders(of entry: CachedResponse) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in entry.headers where kept.contains(name.lowercased()) {
            headers.add(name: name, value: value)
        }
        return headers
    }

    static let kept: Set<String> = ["cache-control", "content-location", "date", "etag", "expires", "vary", "last-modified"]

    /// Replaces the client's own conditionals with the stored validators, so the upstream's 304
    /// is about the stored entry.
    public static func revalidate(_ entry: CachedResponse, headers: inout HTTPHeaders) {
        for name in ["if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range"] { headers.remove(name: name) }
        if let etag = entry.etag { headers.add(name: "If-None-Match", value: etag) }
        if let modified = entry.headers.first(name: "last-modified") { headers.add(name: "If-Modified-Since", value: modified) }
    }

    public static func hasValidator(_ entry: CachedResponse) -> Bool {
        entry.etag != nil || entry.headers.contains(name: "last-modified")
    }
}
