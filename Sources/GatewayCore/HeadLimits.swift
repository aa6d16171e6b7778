import NIOHTTP1

/// Size limits on a request head, checked before routing on every request (431, 414).
///
/// Sizes are of the head as decoded: the request target, and each field as `name: value` plus
/// its line end, so optional whitespace around a value is not counted. The HTTP/1 decoder gets a
/// generous ceiling derived from these (see ``decoderFieldCeiling``) so that a head far beyond
/// them is refused while it is read, before it is buffered whole.
public struct HeadLimits: Sendable, Hashable {
    /// The whole header block (every field), in bytes.
    public var headerBlockBytes: Int
    /// The number of header fields.
    public var headerCount: Int
    /// One header field (name and value), in bytes.
    public var headerFieldBytes: Int
    /// The request target (path and query as sent), in bytes.
    public var targetBytes: Int

    public init(headerBlockBytes: Int = 16 * 1024, headerCount: Int = 100, headerFieldBytes: Int = 8 * 1024, targetBytes: Int = 8 * 1024) {
        self.headerBlockBytes = headerBlockBytes
        self.headerCount = headerCount
        self.headerFieldBytes = headerFieldBytes
        self.targetBytes = targetBytes
    }

    /// The first limit `head` exceeds, as the error to answer with; `nil` when it is within all.
    public func check(_ head: HTTPRequestHead) -> GatewayError? {
        if head.uri.utf8.count > targetBytes { return .uriTooLong(limit: targetBytes) }
        if head.headers.count > headerCount { return .headerFieldsTooLarge }
        var total = 0
        for (name, value) in head.headers {
            // `name: value\r\n`
            let field = name.utf8.count + 2 + value.utf8.count
            if field > headerFieldBytes { return .headerFieldsTooLarge }
            total += field + 2
        }
        return total > headerBlockBytes ? .headerFieldsTooLarge : nil
    }

    /// Whether every limit is at most the corresponding one of `other` (a route may only
    /// tighten the limits that were already enforced before routing).
    public func isWithin(_ other: HeadLimits) -> Bool {
        headerBlockBytes <= other.headerBlockBytes && headerCount <= other.headerCount
            && headerFieldBytes <= other.headerFieldBytes && targetBytes <= other.targetBytes
    }

    /// Ceiling for the decoder's per-field limit (it counts the request target as a field):
    /// four times the larger configured limit, so the exact limits answer first (414 vs 431)
    /// while a head far beyond them is refused as it is read.
    public var decoderFieldCeiling: Int { 4 * max(headerFieldBytes, targetBytes) + 1024 }
    /// Ceiling for the decoder's limit on the whole head (target plus fields).
    public var decoderBlockCeiling: Int { 4 * (headerBlockBytes + targetBytes) + 1024 }
    /// Ceiling for the decoder's field count.
    public var decoderCountCeiling: Int { 4 * headerCount + 16 }
}
