import GatewayCore
import GatewayPolicies
import Testing

/// The per-loop cache of verified tokens on its own: keyed by the whole token, bounded, emptied
/// by a new key-set generation, entries dropped when they expire.
@Suite struct JWTTokenCacheTests {
    static let claims: [String: JSONValue] = ["sub": .string("user-1"), "exp": .number(Double(TestSigner.now + 300))]
    static let token: Substring = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl"

    @Test func hitAndMiss() {
        let cache = JWTTokenCache(capacity: 8)
        #expect(cache.lookup(Self.token, generation: 0, now: TestSigner.now, skew: 0) == nil)
        cache.insert(Self.token, claims: Self.claims, generation: 0)
        #expect(cache.lookup(Self.token, generation: 0, now: TestSigner.now, skew: 0) == Self.claims)
        #expect(cache.lookup("other.token.here", generation: 0, now: TestSigner.now, skew: 0) == nil)
        #expect(cache.count == 1)
    }

    @Test func aTokenDifferingInOneByteIsNotAHit() {
        let cache = JWTTokenCache(capacity: 8)
        cache.insert(Self.token, claims: Self.claims, generation: 0)
        var bytes = Array(Self.token.utf8)
        for position in [0, bytes.count / 2, bytes.count - 1] {
            bytes = Array(Self.token.utf8)
            bytes[position] = bytes[position] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let changed = Substring(String(decoding: bytes, as: UTF8.self))
            #expect(cache.lookup(changed, generation: 0, now: TestSigner.now, skew: 0) == nil, "byte \(position)")
        }
        #expect(cache.lookup(Self.token.dropLast(), generation: 0, now: TestSigner.now, skew: 0) == nil)
        #expect(cache.lookup(Self.token, generation: 0, now: TestSigner.now, skew: 0) != nil)
    }

    @Test func tokensSharingTheirLast32BytesAreStillDistinctEntries() {
        let cache = JWTTokenCache(capacity: 8)
        let tail = String(repeating: "s", count: 40)
        let tokens = (0..<6).map { Substring("header.payload-\($0).\(tail)") }
        for (n, token) in tokens.enumerated() { cache.insert(token, claims: ["n": .number(Double(n))], generation: 0) }
        #expect(cache.count == 6)
        for (n, token) in tokens.enumerated() {
            #expect(cache.lookup(token, generation: 0, now: TestSigner.now, skew: 0)?["n"] == .number(Double(n)))
        }
        #expect(cache.lookup(Substring("header.payload-9.\(tail)"), generation: 0, now: TestSigner.now, skew: 0) == nil)
    }

    @Test func anEntryExpiresWhileCached() {
        let cache = JWTTokenCache(capacity: 8)
        cache.insert(Self.token, claims: Self.claims, generation: 0)
        // exp is now + 300; with 60 s of skew the token is good until now + 360.
        #expect(cache.lookup(Self.token, generation: 0, now: TestSigner.now + 359, skew: 60) != nil)
        #expect(cache.lookup(Self.token, generation: 0, now: TestSigner.now + 360, skew: 60) == nil)
        #expect(cache.count == 0, "the expired entry is dropped")
    }

    @Test func aNewKeyGenerationEmptiesTheCache() {
        let cache = JWTTokenCache(capacity: 8)
        cache.insert(Self.token, claims: Self.claims, generation: 1)
        cache.insert("a.b.c", claims: Self.claims, generation: 1)
        #expect(cache.lookup(Self.token, generation: 2, now: TestSigner.now, skew: 0) == nil)
        #expect(cache.count == 0)
        // A token verified under the old keys while the new ones came in is not kept.
        cache.insert(Self.token, claims: Self.claims, generation: 1)
        #expect(cache.lookup(Self.token, generation: 2, now: TestSigner.now, skew: 0) == nil)
        cache.insert(Self.token, claims: Self.claims, generation: 2)
        #expect(cache.lookup(Self.token, generation: 2, now: TestSigner.now, skew: 0) != nil)
    }

    @Test func theBoundIsRespectedAndRecentlyUsedEntriesGetASecondChance() {
        let cache = JWTTokenCache(capacity: 4)
        let tokens = (0..<20).map { Substring("header.payload-\($0).signature") }
        cache.insert(tokens[0], claims: Self.claims, generation: 0)
        for token in tokens.dropFirst() {
            // tokens[0] is used before every insert, so CLOCK always passes it over.
            #expect(cache.lookup(tokens[0], generation: 0, now: TestSigner.now, skew: 0) != nil)
            cache.insert(token, claims: Self.claims, generation: 0)
            #expect(cache.count <= 4)
        }
        #expect(cache.count == 4)
        #expect(cache.lookup(tokens[19], generation: 0, now: TestSigner.now, skew: 0) != nil)
        #expect(cache.lookup(tokens[1], generation: 0, now: TestSigner.now, skew: 0) == nil)
    }

    @Test func aTokenWithoutExpiryStaysUntilEvicted() {
        let cache = JWTTokenCache(capacity: 2)
        cache.insert(Self.token, claims: ["sub": .string("user-1")], generation: 0)
        #expect(cache.lookup(Self.token, generation: 0, now: Int64.max / 2, skew: 0) != nil)
    }
}
