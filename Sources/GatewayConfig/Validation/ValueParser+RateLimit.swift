import GatewayCore
import NIOCore

extension ValueParser {
    static let ratePeriods: [(unit: String, period: TimeAmount)] = [("s", .seconds(1)), ("m", .minutes(1)), ("h", .hours(1))]

    /// A token rate `N/s`, `N/m` or `N/h` with N in 1...1,000,000.
    static func rate(_ text: String) -> Result<(rate: Int, period: TimeAmount), ValueError> {
        let hint = "expected N/s, N/m or N/h, e.g. '100/s' or '30/m'"
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, isDigits(parts[0]) else {
            return .failure(ValueError("invalid rate '\(text)'", hint: hint))
        }
        guard let period = ratePeriods.first(where: { $0.unit == parts[1] })?.period else {
            return .failure(ValueError("invalid rate unit in '\(text)'", hint: Suggestion.hint(for: String(parts[1]), among: ratePeriods.map(\.unit)) ?? hint))
        }
        guard let count = Int(parts[0]), (1...1_000_000).contains(count) else {
            return .failure(ValueError("rate '\(text)' is out of range", hint: "N in 1...1000000"))
        }
        return .success((count, period))
    }

    /// `client_ip`, `header:NAME`, `jwt:sub` or `route`.
    static func rateLimitKey(_ text: String) -> Result<RateLimitKey, ValueError> {
        let kinds = ["client_ip", "header:NAME", "jwt:sub", "route"]
        switch text {
        case "client_ip": return .success(.clientIP)
        case "jwt:sub": return .success(.jwtSubject)
        case "route": return .success(.route)
        default: break
        }
        if text.hasPrefix("header:") {
            let name = String(text.dropFirst("header:".count))
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                return .failure(ValueError("invalid header name in '\(text)'", hint: "expected header:NAME, e.g. header:X-Api-Key"))
            }
            return .success(.header(name.lowercased()))
        }
        return .failure(ValueError("invalid rate limit key '\(text)'", hint: Suggestion.hint(for: text, among: kinds)))
    }

    /// `cost=N` on a route's `rate_limit` line, N in 1...1,000,000.
    static func cost(_ text: String) -> Result<Int, ValueError> {
        guard text.hasPrefix("cost=") else {
            return .failure(ValueError("unknown rate_limit parameter '\(text)'", hint: "expected cost=N"))
        }
        return integer(String(text.dropFirst("cost=".count)), in: 1...1_000_000).mapError { _ in
            ValueError("invalid cost in '\(text)'", hint: "expected cost=N with N in 1...1000000")
        }
    }

    /// `on` or `off`.
    static func onOff(_ text: String) -> Result<Bool, ValueError> {
        keyword(text, among: ["on", "off"]).map { $0 == "on" }
    }

    /// `redis://HOST[:PORT][/DB]`: port 6379 and database 0 by default. A password goes into the
    /// `password` directive, never into the URL.
    static func redisURL(_ text: String) -> Result<(host: String, port: Int, database: Int), ValueError> {
        let hint = "expected redis://HOST[:PORT][/DB], e.g. redis://127.0.0.1:6379/0"
        guard text.hasPrefix("redis://") else {
            return .failure(ValueError("invalid Redis URL '\(text)'", hint: hint))
        }
        var rest = Substring(text.dropFirst("redis://".count))
        if rest.contains("@") {
            return .failure(ValueError("a password in the Redis URL is not allowed", hint: "use 'password ${…};' in the redis block"))
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard let n = try? integer(String(db), in: 0...1_000_000).get() else {
                    return .failure(ValueError("invalid database '\(db)' in '\(text)'", hint: hint))
                }
                database = n
            }
        }
        let hasPort = rest.hasPrefix("[") ? rest.contains("]:") : rest.contains(":")
        switch hostPort(hasPort ? String(rest) : "\(rest):6379") {
        case .success(let (host, port)): return .success((host, port, database))
        case .failure: return .failure(ValueError("invalid Redis address in '\(text)'", hint: hint))
        }
    }
}
