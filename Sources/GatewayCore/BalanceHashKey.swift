import NIOHTTP1

/// What consistent hashing keys a request on (`balance hash KEY;`).
public enum BalanceHashKey: Sendable, Hashable, CustomStringConvertible {
    /// The client address after `trusted_proxies` resolution.
    case clientIP
    /// The value of a request header (name lowercased).
    case header(String)
    /// The value of one cookie of the `Cookie` header.
    case cookie(String)
    /// The normalised request path (without the query).
    case path

    public var description: String {
        switch self {
        case .clientIP: return "client_ip"
        case .header(let name): return "header:\(name)"
        case .cookie(let name): return "cookie:\(name)"
        case .path: return "path"
        }
    }

    /// The 64-bit hash of this key for one request; `nil` when the request lacks it (no such
    /// header or cookie, unknown client address).
    public func hash(clientAddress: IPAddress?, headers: HTTPHeaders, path: String) -> UInt64? {
        switch self {
        case .clientIP:
            return clientAddress.map { StableHash.hash($0.description) }
        case .path:
            return StableHash.hash(path)
        case .header(let name):
            return headers.first(name: name).map(StableHash.hash)
        case .cookie(let name):
            for field in headers[canonicalForm: "cookie"] {
                for pair in field.split(separator: ";") {
                    let trimmed = pair.drop { $0 == " " }
                    guard let eq = trimmed.firstIndex(of: "="), trimmed[..<eq] == name else { continue }
                    return StableHash.hash(String(trimmed[trimmed.index(after: eq)...]))
                }
            }
            return nil
        }
    }
}
