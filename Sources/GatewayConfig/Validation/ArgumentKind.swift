import GatewayCore

/// The type of one argument position in the schema.
enum ArgumentKind: Sendable {
    case duration(allowZero: Bool)
    /// `off`, or a duration (zero not allowed).
    case offOrDuration
    case size
    case sizeIn(ClosedRange<Int>)
    /// A file path (relative to the configuration file's directory unless absolute).
    case filePath
    /// A port number, 1...65535.
    case port
    /// A DNS name or IP address, no wildcard.
    case hostName
    case integer(ClosedRange<Int>)
    /// `auto` or an integer in the range.
    case autoOrInteger(ClosedRange<Int>)
    /// `off` or an integer in the range.
    case offOrInteger(ClosedRange<Int>)
    case keyword([String])
    /// `off`, or any header value.
    case offOrHeaderValue
    /// `off`, `stdout` or a file path.
    case logTarget
    case name
    case cidr
    case listenAddress
    case hostPort
    /// `weight=N`.
    case weight
    case pathPattern
    case pathPrefix
    case hostPattern
    case method
    case status(ClosedRange<Int>)
    case statusAmong([Int])
    case template(allowed: [String])
    case headerValue
    case mediaType
    /// Any text, even empty (a response body).
    case text
    /// `all`, or a CIDR block.
    case cidrOrAll
    /// A header field name (an RFC 9110 token).
    case headerName
    /// A header field name, or `*`.
    case headerNameOrStar
    /// `on` or `off`.
    case onOff
    /// A JWS algorithm the gateway verifies.
    case jwtAlgorithm
    /// An `https://` or `http://` URL of a JWKS document.
    case jwksURL
    /// A file path (relative to the file that names it).
    case path
    /// `kid=ID` after a key.
    case kid
    /// A CORS origin: `*`, `scheme://host[:port]` or `scheme://*.domain[:port]`.
    case origin
    /// `N/s`, `N/m` or `N/h`.
    case rate
    /// `client_ip`, `header:NAME`, `jwt:sub` or `route`.
    case rateLimitKey
    /// `cost=N`.
    case cost
    /// `redis://HOST[:PORT][/DB]`.
    case redisURL
    /// The key of `balance hash`: `client_ip`, `header:NAME`, `cookie:NAME` or `path`.
    case balanceHashKey
    /// `connect_failure`, `reset`, `timeout` or a status in 500...599.
    case retryCondition
    /// `N%` with N in 0...100.
    case percent
    /// A status `NNN` or a range `LOW-HIGH` of statuses in 100...599.
    case statusRange

    static let weightRange = 1...1000

    /// The problem with `text` as a value of this kind, or `nil` when it is valid.
    func check(_ text: String) -> ValueError? {
        func error<T>(_ result: Result<T, ValueError>) -> ValueError? {
            if case .failure(let e) = result { return e }
            return nil
        }
        func wordOrInteger(_ word: String, _ range: ClosedRange<Int>) -> ValueError? {
            if text == word { return nil }
            return error(ValueParser.integer(text, in: range)).map {
                ValueError($0.message, hint: "expected '\(word)' or an integer in \(range.lowerBound)...\(range.upperBound)")
            }
        }
        switch self {
        case .duration(let allowZero): return error(ValueParser.duration(text, allowZero: allowZero))
        case .offOrDuration: return text == "off" ? nil : error(ValueParser.duration(text))
        case .size: return error(ValueParser.size(text))
        case .sizeIn(let range): return error(ValueParser.size(text, in: range))
        case .filePath: return error(ValueParser.filePath(text))
        case .port: return error(ValueParser.port(Substring(text), allowZero: false))
        case .hostName: return error(ValueParser.hostName(text))
        case .integer(let range): return error(ValueParser.integer(text, in: range))
        case .autoOrInteger(let range): return wordOrInteger("auto", range)
        case .offOrInteger(let range): return wordOrInteger("off", range)
        case .keyword(let words): return error(ValueParser.keyword(text, among: words))
        case .offOrHeaderValue: return text == "off" ? nil : error(ValueParser.headerValue(text))
        case .logTarget:
            return text.isEmpty || text.contains("\0") ? ValueError("invalid access log target", hint: "expected 'off', 'stdout' or a file path") : nil
        case .name: return error(ValueParser.name(text))
        case .cidr: return error(ValueParser.cidr(text))
        case .listenAddress: return error(ValueParser.listenAddress(text))
        case .hostPort: return error(ValueParser.hostPort(text))
        case .weight: return error(ValueParser.weight(text))
        case .pathPattern: return error(ValueParser.pathPattern(text))
        case .pathPrefix: return error(ValueParser.pathPrefix(text))
        case .hostPattern: return error(ValueParser.hostPattern(text))
        case .method: return error(ValueParser.method(text))
        case .status(let range): return error(ValueParser.status(text, allowed: range))
        case .statusAmong(let list): return error(ValueParser.status(text, among: list))
        case .template(let allowed): return error(ValueParser.template(text, allowed: allowed))
        case .headerValue: return error(ValueParser.headerValue(text))
        case .mediaType: return error(ValueParser.mediaType(text))
        case .text: return nil
        case .cidrOrAll: return text == "all" ? nil : error(ValueParser.cidr(text))
        case .headerName: return error(ValueParser.headerName(text))
        case .headerNameOrStar: return text == "*" ? nil : error(ValueParser.headerName(text))
        case .onOff: return error(ValueParser.keyword(text, among: ["on", "off"]))
        case .origin: return error(ValueParser.origin(text))
        case .jwtAlgorithm: return error(ValueParser.jwtAlgorithm(text))
        case .jwksURL: return error(ValueParser.jwksURL(text))
        case .path: return text.isEmpty || text.contains("\0") ? ValueError("invalid path '\(text)'") : nil
        case .kid: return error(ValueParser.kid(text))
        case .rate: return error(ValueParser.rate(text))
        case .rateLimitKey: return error(ValueParser.rateLimitKey(text))
        case .cost: return error(ValueParser.cost(text))
        case .redisURL: return error(ValueParser.redisURL(text))
        case .balanceHashKey: return error(ValueParser.balanceHashKey(text))
        case .retryCondition: return error(ValueParser.retryCondition(text))
        case .percent: return error(ValueParser.percent(text))
        case .statusRange: return error(ValueParser.statusRange(text))
        }
    }
}

extension ValueParser {
    /// `weight=N` on a `server` line.
    static func weight(_ text: String) -> Result<Int, ValueError> {
        guard text.hasPrefix("weight=") else {
            let hint = Suggestion.closest(to: String(text.prefix { $0 != "=" }), among: ["weight"]).map { _ in "did you mean 'weight=N'?" }
                ?? "expected weight=N"
            return .failure(ValueError("unknown server parameter '\(text)'", hint: hint))
        }
        let range = ArgumentKind.weightRange
        return integer(String(text.dropFirst("weight=".count)), in: range).mapError { _ in
            ValueError("invalid weight in '\(text)'", hint: "expected weight=N with N in \(range.lowerBound)...\(range.upperBound)")
        }
    }
}
