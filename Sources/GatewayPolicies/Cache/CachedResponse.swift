import NIOCore
import NIOHTTP1

/// One stored response: prepared once when stored (headers cleaned, body in one buffer) and
/// immutable, so a hit shares the body bytes without copying or re-encoding them.
public final class CachedResponse: Sendable {
    public let status: HTTPResponseStatus
    /// The headers as stored: without `Age`, `Cache-Status`, `Set-Cookie` or `Connection`;
    /// `Content-Length` is the stored body's.
    public let headers: HTTPHeaders
    public let body: ByteBuffer
    public let freshness: CacheFreshness
    public let variant: CacheVariant
    /// Bytes this entry counts against the cache's `max_size`.
    public let size: Int

    /// Headers the gateway recomputes per response, never stored.
    static let unstored: Set<String> = ["age", "cache-status", "set-cookie", "connection", "transfer-encoding", "x-request-id"]

    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, freshness: CacheFreshness, variant: CacheVariant) {
        var stored = HTTPHeaders()
        var headerBytes = 0
        for (name, value) in headers where !Self.unstored.contains(name.lowercased()) && name.lowercased() != "content-length" {
            stored.add(name: name, value: value)
            headerBytes += name.utf8.count + value.utf8.count + 4
        }
        if status.mayHaveResponseBody { stored.add(name: "Content-Length", value: String(body.readableBytes)) }
        self.status = status
        self.headers = stored
        self.body = body
        self.freshness = freshness
        self.variant = variant
        self.size = body.readableBytes + headerBytes + 256
    }

    public var etag: String? { headers.first(name: "etag") }
    public var lastModified: Int64? { headers.first(name: "last-modified").flatMap(HTTPDate.parse) }

    /// The entry after a 304 refreshed it (RFC 9111 §4.3.4): the 304's headers replace the
    /// stored ones of the same name (except framing), the body stays.
    public func refreshed(with notModified: HTTPHeaders, requestTime: Int64, responseTime: Int64, defaultTTL: Int64?) -> CachedResponse {
        var merged = headers
        for name in Set(notModified.map { $0.name.lowercased() }) where !Self.unstored.contains(name) && name != "content-length" {
            merged.remove(name: name)
            for value in notModified[name] { merged.add(name: name, value: value) }
        }
        let freshness = CacheFreshness(
            status: status.code, headers: merged, requestTime: requestTime, responseTime: responseTime, defaultTTL: defaultTTL)
        return CachedResponse(status: status, headers: merged, body: body, freshness: freshness, variant: variant)
    }
}
