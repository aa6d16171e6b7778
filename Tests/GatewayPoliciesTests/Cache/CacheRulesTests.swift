import GatewayCore
import GatewayPolicies
import NIOHTTP1
import Testing

/// RFC 9110 §5.6.7's example date, as seconds since 1970.
let exampleDate: Int64 = 784_111_777

@Suite struct HTTPDateTests {
    @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func parsesTheThreeForms(text: String) {
        #expect(HTTPDate.parse(text) == exampleDate)
    }

    @Test(arguments: ["0", "-1", "yesterday", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", ""])
    func refusesInvalidDates(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(exampleDate) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse(HTTPDate.format(1_700_000_000)) == 1_700_000_000)
    }
}

@Suite struct CacheControlTests {
    @Test func parsesDirectives() {
        let c = CacheControl(HTTPHeaders([
            ("Cache-Control", "max-age=60, s-maxage=\"30\", No-Cache=\"Set-Cookie\""),
            ("Cache-Control", "private, must-revalidate, stale-if-error=300, stale-while-revalidate=10, unknown=1"),
        ]))
        #expect(c.maxAge == 60)
        #expect(c.sharedMaxAge == 30)
        #expect(c.noCache && c.isPrivate && c.mustRevalidate)
        #expect(c.staleIfError == 300)
        #expect(c.staleWhileRevalidate == 10)
        #expect(!c.noStore && !c.isPublic)
    }

    @Test func duplicatesKeepTheMostRestrictiveAndInvalidMeansZero() {
        #expect(CacheControl(HTTPHeaders([("Cache-Control", "max-age=60, max-age=10")])).maxAge == 10)
        #expect(CacheControl(HTTPHeaders([("Cache-Control", "max-age=abc")])).maxAge == 0)
        #expect(CacheControl(HTTPHeaders([("Cache-Control", "max-age=99999999999")])).maxAge == 2_147_483_648)
    }
}

@Suite struct CacheFreshnessTests {
    static let now: Int64 = 1_700_000_000
    static let date = HTTPDate.format(now)

    static func freshness(_ headers: [(String, String)], status: UInt = 200, defaultTTL: Int64? = nil, requestTime: Int64 = now) -> CacheFreshness {
        CacheFreshness(status: status, headers: HTTPHeaders(headers), requestTime: requestTime, responseTime: now, defaultTTL: defaultTTL)
    }

    @Test(arguments: [
        ("max-age", [("Cache-Control", "max-age=60")], UInt(200), Int64?(60)),
        ("s-maxage wins", [("Cache-Control", "max-age=60, s-maxage=5")], 200, 5),
        ("max-age over Expires", [("Cache-Control", "max-age=7"), ("Expires", HTTPDate.format(now + 3600))], 200, 7),
        ("Expires - Date", [("Expires", HTTPDate.format(now + 3600))], 200, 3600),
        ("invalid Expires is expired", [("Expires", "0")], 200, 0),
        ("heuristic 10% of Last-Modified", [("Last-Modified", HTTPDate.format(now - 100_000))], 200, 10_000),
        ("no heuristic for 302", [("Last-Modified", HTTPDate.format(now - 100_000))], 302, nil),
        ("public allows a heuristic", [("Cache-Control", "public"), ("Last-Modified", HTTPDate.format(now - 1000))], 302, 100),
        ("nothing to go on", [], 200, nil),
    ] as [(String, [(String, String)], UInt, Int64?)])
    func lifetime(name: String, headers: [(String, String)], status: UInt, expected: Int64?) {
        var all = headers
        all.append(("Date", Self.date))
        #expect(Self.freshness(all, status: status).lifetime == expected, "\(name)")
    }

    @Test func defaultTTLOnlyWhereAHeuristicWouldBeAllowed() {
        #expect(Self.freshness([], defaultTTL: 30).lifetime == 30)
        #expect(Self.freshness([("Cache-Control", "max-age=5")], defaultTTL: 30).lifetime == 5)
        #expect(Self.freshness([], status: 302, defaultTTL: 30).lifetime == nil)
    }

    @Test func ageFollowsSection4_2_3() {
        // Age header plus the response delay.
        let aged = Self.freshness([("Cache-Control", "max-age=60"), ("Age", "30"), ("Date", Self.date)], requestTime: Self.now - 2)
        #expect(aged.age(at: Self.now) == 32)
        #expect(aged.remaining(at: Self.now) == 28)
        #expect(aged.age(at: Self.now + 10) == 42)
        // Apparent age from a Date in the past.
        let old = Self.freshness([("Cache-Control", "max-age=60"), ("Date", HTTPDate.format(Self.now - 10))])
        #expect(old.age(at: Self.now) == 10)
        #expect(old.isFresh(at: Self.now + 49))
        #expect(!old.isFresh(at: Self.now + 50))
    }

    @Test func staleExtensions() {
        let f = Self.freshness([("Cache-Control", "max-age=10, stale-if-error=100, stale-while-revalidate=20"), ("Date", Self.date)])
        #expect(f.withinStaleIfError(at: Self.now + 109))
        #expect(!f.withinStaleIfError(at: Self.now + 110))
        #expect(f.withinStaleWhileRevalidate(at: Self.now + 29))
        #expect(!f.withinStaleWhileRevalidate(at: Self.now + 30))
        let strict = Self.freshness([("Cache-Control", "max-age=10, must-revalidate, stale-if-error=100"), ("Date", Self.date)])
        #expect(!strict.withinStaleIfError(at: Self.now + 20))
    }
}

@Suite struct CacheStorabilityTests {
    @Test(arguments: [
        ("max-age", HTTPMethod.GET, [], UInt(200), [("Cache-Control", "max-age=60")], "storable"),
        ("POST", .POST, [], 200, [("Cache-Control", "max-age=60")], "method"),
        ("HEAD", .HEAD, [], 200, [("Cache-Control", "max-age=60")], "method"),
        ("206", .GET, [], 206, [("Cache-Control", "max-age=60")], "status"),
        ("500", .GET, [], 500, [("Cache-Control", "max-age=60")], "status"),
        ("no-store", .GET, [], 200, [("Cache-Control", "max-age=60, no-store")], "no-store"),
        ("request no-store", .GET, [("Cache-Control", "no-store")], 200, [("Cache-Control", "max-age=60")], "no-store"),
        ("private", .GET, [], 200, [("Cache-Control", "private, max-age=60")], "private"),
        ("Vary *", .GET, [], 200, [("Cache-Control", "max-age=60"), ("Vary", "*")], "vary-star"),
        ("Authorization", .GET, [("Authorization", "Bearer x")], 200, [("Cache-Control", "max-age=60")], "authorization"),
        ("Authorization public", .GET, [("Authorization", "Bearer x")], 200, [("Cache-Control", "public, max-age=60")], "storable"),
        ("Authorization s-maxage", .GET, [("Authorization", "Bearer x")], 200, [("Cache-Control", "s-maxage=60")], "storable"),
        ("Set-Cookie", .GET, [], 200, [("Cache-Control", "max-age=60"), ("Set-Cookie", "a=b")], "set-cookie"),
        ("validator only, heuristic status", .GET, [], 200, [("ETag", "\"x\"")], "storable"),
        ("nothing", .GET, [], 200, [], "no-freshness"),
        ("302 without freshness", .GET, [], 302, [("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT")], "no-freshness"),
        ("no-cache with validator", .GET, [], 302, [("Cache-Control", "no-cache"), ("ETag", "\"x\"")], "storable"),
        ("404 with max-age", .GET, [], 404, [("Cache-Control", "max-age=60")], "storable"),
    ] as [(String, HTTPMethod, [(String, String)], UInt, [(String, String)], String)])
    func table(name: String, method: HTTPMethod, request: [(String, String)], status: UInt, response: [(String, String)], expected: String) {
        let result = CacheStorability.evaluate(method: method, requestHeaders: HTTPHeaders(request), status: status, responseHeaders: HTTPHeaders(response))
        switch result {
        case .storable: #expect(expected == "storable", "\(name)")
        case .notStorable(let reason): #expect(reason == expected, "\(name)")
        }
    }

    @Test func defaultTTLMakesAHeuristicStatusStorable() {
        let result = CacheStorability.evaluate(method: .GET, requestHeaders: [:], status: 200, responseHeaders: [:], hasDefaultTTL: true)
        #expect(result == .storable)
    }
}

@Suite struct CacheKeyAndVariantTests {
    @Test func keyNormalisesHostAndKeepsQueryAndHeaders() {
        let a = CacheKey(host: "API.Example.com", path: "/a", query: "x=1", extraHeaders: ["x-tenant"], from: HTTPHeaders([("X-Tenant", "t1")]))
        let b = CacheKey(host: "api.example.com", path: "/a", query: "x=1", extraHeaders: ["x-tenant"], from: HTTPHeaders([("x-tenant", "t1")]))
        let c = CacheKey(host: "api.example.com", path: "/a", query: "x=1", extraHeaders: ["x-tenant"], from: HTTPHeaders([("X-Tenant", "t2")]))
        #expect(a == b)
        #expect(a != c)
        #expect(a.uri == "api.example.com/a?x=1")
        #expect(CacheKey(host: "h", path: "/a", query: nil) != CacheKey(host: "h", path: "/a", query: ""))
    }

    @Test func varyMatching() {
        let vary = HTTPHeaders([("Vary", "Accept-Encoding, accept-language")])
        let variant = CacheVariant(vary: vary, request: HTTPHeaders([("Accept-Encoding", "gzip, br"), ("Accept-Language", "en")]))
        #expect(variant.names == ["accept-encoding", "accept-language"])
        #expect(variant.matches(HTTPHeaders([("Accept-Encoding", "gzip"), ("Accept-Language", "en")])))
        #expect(!variant.matches(HTTPHeaders([("Accept-Encoding", "gzip;q=0"), ("Accept-Language", "en")])))
        #expect(!variant.matches(HTTPHeaders([("Accept-Encoding", "gzip"), ("Accept-Language", "de")])))
        #expect(!variant.matches(HTTPHeaders([("Accept-Encoding", "gzip")])))
        let none = CacheVariant(vary: HTTPHeaders(), request: HTTPHeaders([("Accept-Language", "en")]))
        #expect(none.matches(HTTPHeaders([("Accept-Language", "de")])))
    }

    @Test func conditionals() {
        let entry = CachedResponse(
            status: .ok, headers: HTTPHeaders([("ETag", "\"v1\""), ("Last-Modified", HTTPDate.format(exampleDate))]),
            body: .init(string: "x"),
            freshness: CacheFreshness(status: 200, headers: [:], requestTime: 0, responseTime: 0),
            variant: CacheVariant(vary: [:], request: [:]))
        #expect(CacheConditional.notModified(entry, request: HTTPHeaders([("If-None-Match", "\"v0\", W/\"v1\"")])))
        #expect(CacheConditional.notModified(entry, request: HTTPHeaders([("If-None-Match", "*")])))
        #expect(!CacheConditional.notModified(entry, request: HTTPHeaders([("If-None-Match", "\"v2\"")])))
        // If-None-Match wins over If-Modified-Since.
        #expect(!CacheConditional.notModified(entry, request: HTTPHeaders([("If-None-Match", "\"v2\""), ("If-Modified-Since", HTTPDate.format(exampleDate))])))
        #expect(CacheConditional.notModified(entry, request: HTTPHeaders([("If-Modified-Since", HTTPDate.format(exampleDate))])))
        #expect(!CacheConditional.notModified(entry, request: HTTPHeaders([("If-Modified-Since", HTTPDate.format(exampleDate - 1))])))
        var upstream = HTTPHeaders([("If-None-Match", "\"client\""), ("Accept", "*/*")])
        CacheConditional.revalidate(entry, headers: &upstream)
        #expect(upstream["If-None-Match"] == ["\"v1\""])
        #expect(upstream["If-Modified-Since"] == [HTTPDate.format(exampleDate)])
        #expect(upstream["Accept"] == ["*/*"])
    }
}
