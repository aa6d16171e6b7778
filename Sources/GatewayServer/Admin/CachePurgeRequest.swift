import GatewayCore

/// What `POST /cache/purge` removes, from its query: `url=` (one target URI, every variant) or
/// `prefix=` (every target URI starting with it), and optionally `cache=NAME` (one cache instead
/// of all). Values are percent-decoded; a URL is `[http[s]://]host[:port]/path[?query]`,
/// normalised as requests are (lower-case host without port, RFC 3986 path), or `/path[?query]`
/// for every host. Pure, so it is tested as a table.
struct CachePurgeRequest: Equatable {
    enum Target: Equatable {
        /// One target URI: `host/path?query`, or `/path?query` on any host.
        case url(host: String?, rest: String)
        /// Target URIs starting with `host/path…`, or with `/path…` on any host.
        case prefix(host: String?, rest: String)
    }

    var target: Target
    var cache: String?

    /// Why a query was refused, for the 400 answer.
    struct Invalid: Error, Equatable {
        var message: String
    }

    static func parse(query: Substring) -> Result<CachePurgeRequest, Invalid> {
        var values: [String: String] = [:]
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ percentDecoded($0) }), let value = percentDecoded(parts.count == 2 ? parts[1] : "")
            else { return .failure(Invalid(message: "malformed percent-encoding in the query")) }
            guard ["url", "prefix", "cache"].contains(name) else {
                return .failure(Invalid(message: "unknown parameter '\(name)' (url, prefix, cache)"))
            }
            guard values[name] == nil else { return .failure(Invalid(message: "parameter '\(name)' given twice")) }
            values[name] = value
        }
        let cache = values["cache"]
        switch (values["url"], values["prefix"]) {
        case (let url?, nil):
            return target(url).map { CachePurgeRequest(target: .url(host: $0.host, rest: $0.rest), cache: cache) }
        case (nil, let prefix?):
            return target(prefix).map { CachePurgeRequest(target: .prefix(host: $0.host, rest: $0.rest), cache: cache) }
        default:
            return .failure(Invalid(message: "give exactly one of url= and prefix="))
        }
    }

    /// Whether the stored target URI `uri` (`host/path?query`) is one to remove.
    func matches(_ uri: String) -> Bool {
        switch target {
        case .url(let host?, let rest): return uri == host + rest
        case .url(nil, let rest): return Self.pathPart(of: uri) == rest
        case .prefix(let host?, let rest): return uri.hasPrefix(host + rest)
        case .prefix(nil, let rest): return Self.pathPart(of: uri).hasPrefix(rest)
        }
    }

    /// The exact key a `url=` with a host names, for the one-shard purge.
    var exactURI: String? {
        if case .url(let host?, let rest) = target { return host + rest }
        return nil
    }

    private static func pathPart(of uri: String) -> Substring {
        uri.firstIndex(of: "/").map { uri[$0...] } ?? ""
    }

    /// Host and normalised `path?query` of a purge URL.
    private static func target(_ text: String) -> Result<(host: String?, rest: String), Invalid> {
        guard !text.isEmpty else { return .failure(Invalid(message: "empty URL")) }
        let lower = text.lowercased()
        var absolute = text
        if !lower.hasPrefix("http://") && !lower.hasPrefix("https://") {
            if text.hasPrefix("/") {
                return normalized(text).map { (nil, $0) }
            }
            absolute = "http://" + text
        }
        switch RequestTargetNormalizer.normalize(absolute, method: "GET") {
        case .failure(let error):
            return .failure(Invalid(message: error.message))
        case .success(let target):
            guard let authority = target.authority, let host = RequestValidator.normalizedHost(authority) else {
                return .failure(Invalid(message: "'\(text)' has no valid host"))
            }
            return .success((host, target.uri))
        }
    }

    private static func normalized(_ path: String) -> Result<String, Invalid> {
        switch RequestTargetNormalizer.normalize(path, method: "GET") {
        case .success(let target): return .success(target.uri)
        case .failure(let error): return .failure(Invalid(message: error.message))
        }
    }

    /// The query of a purge request (what ``parse(query:)`` reads back), every value
    /// percent-encoded but for unreserved characters.
    static func query(url: String?, prefix: String?, cache: String?) -> String {
        [("url", url), ("prefix", prefix), ("cache", cache)].compactMap { name, value in
            value.map { name + "=" + percentEncoded($0) }
        }.joined(separator: "&")
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// Percent-decoding of a query value (`+` is a space, as in forms); `nil` when malformed.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
