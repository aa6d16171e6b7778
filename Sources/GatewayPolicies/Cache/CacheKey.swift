import GatewayCore
import NIOHTTP1

/// The primary key of a stored response (RFC 9111 §4): method class, host, normalised path and
/// query, plus the values of configured request headers. HEAD shares GET's key: a HEAD is
/// answered from a stored GET.
public struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    /// `host` + path + `?query`: the target URI the store purges by.
    public let uri: String
    /// The configured extra header values, in configuration order.
    public let extra: [String]

    public init(host: String, path: String, query: String?, extraHeaders: [String] = [], from headers: HTTPHeaders = HTTPHeaders()) {
        var uri = host.lowercased() + path
        if let query { uri += "?" + query }
        self.uri = uri
        self.extra = extraHeaders.map { name in headers[canonicalForm: name].map { String($0) }.joined(separator: ",") }
    }

    public var description: String {
        extra.isEmpty ? uri : uri + " [" + extra.joined(separator: "|") + "]"
    }
}
