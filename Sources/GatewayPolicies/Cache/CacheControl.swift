import GatewayCore
import NIOHTTP1

/// The `Cache-Control` directives of a request or response (RFC 9111 §5.2), parsed once.
///
/// Unknown directives are ignored (§5.2.3). A qualified `no-cache="Set-Cookie"` or
/// `private="…"` is treated as the unqualified form: stricter, and always allowed (§5.2.2.4).
/// A malformed or duplicated delta-seconds keeps the most restrictive value (§4.2.1).
public struct CacheControl: Sendable, Hashable {
    public var maxAge: Int?
    public var sharedMaxAge: Int?
    public var maxStale: Int?
    /// `max-stale` without a value: any staleness is acceptable to the client.
    public var maxStaleAny = false
    public var minFresh: Int?
    public var noStore = false
    public var noCache = false
    public var noTransform = false
    public var isPrivate = false
    public var isPublic = false
    public var mustRevalidate = false
    public var proxyRevalidate = false
    public var onlyIfCached = false
    public var staleWhileRevalidate: Int?
    public var staleIfError: Int?

    public init() {}

    public init(_ headers: HTTPHeaders) {
        for item in headers[canonicalForm: "cache-control"] {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard let rawName = pair.first else { continue }
            let name = rawName.trimmingSpaces().lowercased()
            var argument: Substring? = pair.count == 2 ? pair[1].trimmingSpaces() : nil
            if let a = argument, a.hasPrefix("\""), a.hasSuffix("\""), a.count >= 2 { argument = a.dropFirst().dropLast() }
            let seconds = argument.flatMap { Self.deltaSeconds($0) }
            switch name {
            case "max-age": maxAge = Self.restrictive(maxAge, seconds ?? 0)
            case "s-maxage": sharedMaxAge = Self.restrictive(sharedMaxAge, seconds ?? 0)
            case "max-stale":
                if argument == nil { maxStaleAny = true } else { maxStale = Self.restrictive(maxStale, seconds ?? 0) }
            case "min-fresh": minFresh = max(minFresh ?? 0, seconds ?? 0)
            case "no-store": noStore = true
            case "no-cache": noCache = true
            case "no-transform": noTransform = true
            case "private": isPrivate = true
            case "public": isPublic = true
            case "must-revalidate": mustRevalidate = true
            case "proxy-revalidate": proxyRevalidate = true
            case "only-if-cached": onlyIfCached = true
            case "stale-while-revalidate": staleWhileRevalidate = seconds.map { Self.restrictive(staleWhileRevalidate, $0) }
            case "stale-if-error": staleIfError = seconds.map { Self.restrictive(staleIfError, $0) }
            default: continue
            }
        }
    }

    /// Delta-seconds (§1.2.2): digits only; values beyond 2^31 are capped there.
    static func deltaSeconds(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text.prefix(10)).map { min($0, 2_147_483_648) }
    }

    private static func restrictive(_ old: Int?, _ new: Int) -> Int {
        old.map { min($0, new) } ?? new
    }
}
