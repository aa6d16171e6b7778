import GatewayCore
import NIOHTTP1

/// gzip for responses of the configured types, when the client's `Accept-Encoding` allows it.
///
/// Adds `Vary: Accept-Encoding` to every response it could compress, compressed or not, so a
/// cache never hands a gzip body to a client that did not ask for one. Leaves alone: HEAD,
/// statuses without a body (1xx, 204, 304), partial content (206, `Content-Range`), responses
/// already encoded, `Cache-Control: no-transform`, and bodies shorter than `min_size`. A
/// compressed response loses `Content-Length` (it streams chunked, or as HTTP/2 DATA) and
/// `Accept-Ranges`, and a strong `ETag` becomes weak: the bytes are no longer the upstream's.
public struct CompressionPolicy: ResponsePolicy {
    public let config: CompressionConfig
    private let transform: GzipTransform

    public var name: String { "compress" }

    public init(config: CompressionConfig) {
        self.config = config
        self.transform = GzipTransform(level: config.level)
    }

    public func apply(to response: inout ResponseContext, request: RequestContext) {
        guard request.inbound.method != .HEAD, response.bodyTransform == nil else { return }
        let status = response.status.code
        guard status >= 200, status != 204, status != 206, status != 304 else { return }
        let headers = response.headers
        guard let type = headers.first(name: "content-type"), config.matches(contentType: Substring(type)) else { return }
        if let encoding = headers.first(name: "content-encoding"), encoding.lowercased() != "identity" { return }
        if headers.contains(name: "content-range") { return }
        if headers[canonicalForm: "cache-control"].contains(where: { $0.lowercased() == "no-transform" }) { return }
        if let length = headers.first(name: "content-length").flatMap({ Int($0) }), length < config.minSize { return }
        let vary = headers[canonicalForm: "vary"]
        if vary.contains("*") { return }
        if !vary.contains(where: { $0.lowercased() == "accept-encoding" }) {
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        }
        guard AcceptEncoding(request.inbound.headers).prefersGzip else { return }
        response.headers.remove(name: "content-length")
        response.headers.remove(name: "content-encoding")
        response.headers.remove(name: "accept-ranges")
        response.headers.add(name: "Content-Encoding", value: "gzip")
        if let etag = response.headers.first(name: "etag"), etag.hasPrefix("\"") {
            response.headers.replaceOrAdd(name: "ETag", value: "W/" + etag)
        }
        response.bodyTransform = transform
    }
}
