import GatewayCore

/// What a route compresses: which content types, from which size, at which zlib level.
public struct CompressionConfig: Sendable, Hashable {
    /// Media types (`application/json`) or type wildcards (`text/*`), lower case, no parameters.
    public var types: [String]
    /// Responses with a `Content-Length` below this are sent as they are (gzip's 18-byte frame
    /// and the CPU are not worth it); responses of unknown length are compressed.
    public var minSize: Int
    /// zlib level, 1 (fastest) … 9 (smallest).
    public var level: Int

    public static let defaultTypes = [
        "text/*", "application/json", "application/javascript", "application/xml", "application/problem+json",
        "application/x-javascript", "image/svg+xml",
    ]

    public init(types: [String] = Self.defaultTypes, minSize: Int = 1024, level: Int = 1) {
        self.types = types.map { $0.lowercased() }
        self.minSize = minSize
        self.level = level
    }

    /// Whether a `Content-Type` value is one of ``types``.
    public func matches(contentType: Substring) -> Bool {
        let media = (contentType.split(separator: ";", maxSplits: 1).first ?? "").trimmingSpaces().lowercased()
        guard let slash = media.firstIndex(of: "/") else { return false }
        for type in types {
            if type == media { return true }
            if type.hasSuffix("/*"), type.dropLast(2) == media[..<slash] { return true }
        }
        return false
    }
}
