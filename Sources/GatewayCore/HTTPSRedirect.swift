/// Where a cleartext listener sends its clients: the same host, path and query over https.
public struct HTTPSRedirect: Sendable, Hashable {
    /// The https port; `nil` means 443 and is left out of the `Location`.
    public var port: Int?

    public init(port: Int? = nil) {
        self.port = port
    }

    /// `https://host[:port]path[?query]` for a validated request's routing host and normalised target.
    public func location(host: String, path: String, query: String?) -> String {
        var location = "https://" + host
        if let port, port != 443 { location += ":\(port)" }
        location += path
        if let query { location += "?" + query }
        return location
    }
}
