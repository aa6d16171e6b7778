import GatewayCore
import NIOHTTP1

/// The secondary key of a stored response (RFC 9111 §4.1): the request's values of the headers
/// its `Vary` names, normalised so that equivalent requests share one variant.
///
/// `Accept-Encoding` reduces to whether gzip is acceptable (the only coding the gateway makes),
/// so every gzip-capable client shares the one compressed variant. Other values are compared
/// with whitespace around commas removed and case kept (§4.1 allows such normalisation).
public struct CacheVariant: Sendable, Hashable {
    /// Lower-cased header names from `Vary`, sorted.
    public let names: [String]
    public let values: [String]

    public init(vary: HTTPHeaders, request: HTTPHeaders) {
        let names = Set(vary[canonicalForm: "vary"].map { $0.lowercased() }).sorted()
        self.names = names
        self.values = names.map { Self.value(of: $0, in: request) }
    }

    /// Whether `request` selects this variant.
    public func matches(_ request: HTTPHeaders) -> Bool {
        zip(names, values).allSatisfy { Self.value(of: $0.0, in: request) == $0.1 }
    }

    static func value(of name: String, in headers: HTTPHeaders) -> String {
        if name == "accept-encoding" { return AcceptEncoding(headers).prefersGzip ? "gzip" : "identity" }
        let values = headers[canonicalForm: name]
        return values.isEmpty ? "\u{0}" : values.joined(separator: ",")
    }
}
