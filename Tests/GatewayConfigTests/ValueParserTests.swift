@testable import GatewayConfig
import GatewayCore
import NIOCore
import Testing

@Suite struct ValueParserTests {
    @Test(arguments: [
        ("250ms", Int64(250_000_000)), ("5s", 5_000_000_000), ("1m", 60_000_000_000), ("2h", 7_200_000_000_000),
        ("1d", 86_400_000_000_000), ("1m30s", 90_000_000_000), ("1h0m5s", 3_605_000_000_000), ("1s500ms", 1_500_000_000),
    ])
    func durations(text: String, nanoseconds: Int64) throws {
        #expect(try ValueParser.duration(text).get() == .nanoseconds(nanoseconds))
        #expect(try ValueParser.duration(ValueParser.format(.nanoseconds(nanoseconds))).get() == .nanoseconds(nanoseconds))
    }

    @Test(arguments: [
        ("30", "duration '30' has no unit", "did you mean '30s'? units: ms, s, m, h, d"),
        ("5x", "invalid duration '5x'", "write a number with a unit, e.g. '5s' or '1m30s' (units: ms, s, m, h, d)"),
        ("s", "invalid duration 's'", "write a number with a unit, e.g. '5s' or '1m30s' (units: ms, s, m, h, d)"),
        ("", "invalid duration ''", nil),
        ("30s1m", "invalid duration '30s1m'", "units must go from largest to smallest, each once, e.g. '1m30s'"),
        ("1s1s", "invalid duration '1s1s'", "units must go from largest to smallest, each once, e.g. '1m30s'"),
        ("0s", "duration must be longer than zero", nil),
        ("366d", "duration '366d' is too long", "at most 365d"),
        ("99999999999999999999s", "invalid duration '99999999999999999999s'", nil),
        ("-5s", "invalid duration '-5s'", nil),
        ("1.5s", "invalid duration '1.5s'", nil),
    ] as [(String, String, String?)])
    func invalidDurations(text: String, message: String, hint: String?) {
        guard case .failure(let error) = ValueParser.duration(text) else {
            Issue.record("\(text) should not parse")
            return
        }
        #expect(error.message == message)
        if let hint { #expect(error.hint == hint) }
    }

    @Test func zeroDurationWhereAllowed() throws {
        #expect(try ValueParser.duration("0s", allowZero: true).get() == .zero)
        #expect(ValueParser.format(.zero) == "0s")
        #expect(ValueParser.format(.milliseconds(90_250)) == "1m30s250ms")
        #expect(ValueParser.format(.nanoseconds(1_500)) == "1us500ns")
    }

    @Test(arguments: [("512", 512), ("0", 0), ("16k", 16_384), ("16K", 16_384), ("1m", 1_048_576), ("2g", 2_147_483_648)])
    func sizes(text: String, bytes: Int) throws {
        #expect(try ValueParser.size(text).get() == bytes)
    }

    @Test(arguments: ["", "k", "1.5m", "-1", "12t", "1kb", "999999999999999g"])
    func invalidSizes(text: String) {
        #expect(throws: ValueError.self) { try ValueParser.size(text).get() }
    }

    @Test(arguments: [
        ("8080", "", 8080), (":8080", "", 8080), ("*:8080", "*", 8080), ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("[::1]:8080", "[::1]", 8080), ("[0:0::1]:80", "[::1]", 80), ("localhost:8080", "localhost", 8080), ("0", "", 0),
        ("[::]:443", "[::]", 443), ("65535", "", 65535),
    ])
    func listenAddresses(text: String, host: String, port: Int) throws {
        let parsed = try ValueParser.listenAddress(text).get()
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(arguments: ["", ":", "65536", "example.com:80", "[::1]", "::1:80", "[::g]:80", "1.2.3:80", "*:", "*:x", "[::1]80", "localhost"])
    func invalidListenAddresses(text: String) {
        #expect(throws: ValueError.self) { try ValueParser.listenAddress(text).get() }
    }

    @Test(arguments: [
        ("10.0.0.1:80", "10.0.0.1", 80), ("[2001:DB8::1]:443", "2001:db8::1", 443), ("API.internal:8080", "api.internal", 8080),
        ("backend-1:1", "backend-1", 1),
    ])
    func serverAddresses(text: String, host: String, port: Int) throws {
        let parsed = try ValueParser.hostPort(text).get()
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test(arguments: ["10.0.0.1", "10.0.0.1:0", ":80", "10.0.0.256:80", "a..b:80", "[::1:80", "host:99999"])
    func invalidServerAddresses(text: String) {
        #expect(throws: ValueError.self) { try ValueParser.hostPort(text).get() }
    }

    @Test(arguments: [
        ("/", PathPattern.exact("/")), ("/*", .prefix("/")), ("/api/*", .prefix("/api/")), ("/api*", .prefix("/api")),
        ("/health", .exact("/health")), ("/a/b/", .exact("/a/b/")),
    ])
    func pathPatterns(text: String, pattern: PathPattern) throws {
        #expect(try ValueParser.pathPattern(text).get() == pattern)
    }

    @Test(arguments: ["api", "*", "/a/*/b", "/a*b", "/a/../b", "/a//b", "/a?x=1", "/%2e", "/a b", ""])
    func invalidPathPatterns(text: String) {
        #expect(throws: ValueError.self) { try ValueParser.pathPattern(text).get() }
    }

    @Test(arguments: [("get", "GET"), ("PATCH", "PATCH"), ("PROPFIND", "PROPFIND"), ("m-search", "M-SEARCH")])
    func methods(text: String, method: String) throws {
        #expect(try ValueParser.method(text).get() == method)
    }

    @Test(arguments: ["TRACE", "connect", "", "GE T", "GET/"])
    func invalidMethods(text: String) {
        #expect(throws: ValueError.self) { try ValueParser.method(text).get() }
    }

    @Test(arguments: [("10.0.0.0/8", true), ("::1", true), ("2001:db8::/32", true), ("10.0.0.1/8", false), ("10.0.0.0/33", false), ("x", false)])
    func cidrs(text: String, valid: Bool) {
        #expect(((try? ValueParser.cidr(text).get()) != nil) == valid)
    }

    @Test(arguments: [("weight=1", 1), ("weight=1000", 1000)])
    func weights(text: String, weight: Int) throws {
        #expect(try ValueParser.weight(text).get() == weight)
    }

    @Test(arguments: ["weight=0", "weight=1001", "weight=", "weigth=2", "backup", "weight=-1"])
    func invalidWeights(text: String) {
        #expect(throws: ValueError.self) { try ValueParser.weight(text).get() }
    }

    @Test(arguments: [("200", true), ("599", true), ("100", true), ("99", false), ("600", false), ("20x", false), ("0200", false)])
    func statuses(text: String, valid: Bool) {
        #expect(((try? ValueParser.status(text, allowed: 100...599).get()) != nil) == valid)
    }

    @Test(arguments: [("application/json", true), ("text/html; charset=utf-8", true), ("json", false), ("a/b/c", false), ("/x", false)])
    func mediaTypes(text: String, valid: Bool) {
        #expect(((try? ValueParser.mediaType(text).get()) != nil) == valid)
    }

    @Test func templatesRestrictPlaceholders() {
        #expect((try? ValueParser.template("/v1{path}", allowed: ["path"]).get()) != nil)
        guard case .failure(let error) = ValueParser.template("/v1{uri}", allowed: ["path"]) else {
            Issue.record("{uri} must be refused in rewrite")
            return
        }
        #expect(error.message == "placeholder '{uri}' is not allowed here")
        guard case .failure(let typo) = ValueParser.template("/{pth}") else {
            Issue.record("{pth} must be refused")
            return
        }
        #expect(typo.hint == "did you mean '{path}'?")
    }
}

@Suite struct SuggestionTests {
    static let names = ["listen", "upstream", "route", "worker_threads", "trusted_proxies", "timeouts"]

    @Test(arguments: [
        ("liten", "listen"), ("lisen", "listen"), ("upstrem", "upstream"), ("rout", "route"), ("worker", "worker_threads"),
        ("trusted", "trusted_proxies"), ("timeout", "timeouts"), ("Listen", "listen"),
    ])
    func suggests(word: String, expected: String) {
        #expect(Suggestion.closest(to: word, among: Self.names) == expected)
    }

    @Test(arguments: ["frobnicate", "x", "", "routing_table"])
    func noSuggestion(word: String) {
        #expect(Suggestion.closest(to: word, among: Self.names) == nil)
    }

    @Test(arguments: [("kitten", "sitting", 3), ("", "abc", 3), ("abc", "abc", 0), ("abc", "acb", 2), ("flaw", "lawn", 2)])
    func levenshtein(a: String, b: String, distance: Int) {
        #expect(Suggestion.levenshtein(a, b) == distance)
    }
}
