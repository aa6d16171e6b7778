import GatewayPolicies
import Testing

@Suite struct JOSEParserTests {
    @Test(arguments: [
        ("", [UInt8]()), ("Zg", Array("f".utf8)), ("Zm8", Array("fo".utf8)), ("Zm9v", Array("foo".utf8)), ("-_8", [0xFB, 0xFF]),
    ])
    func base64urlDecodes(_ text: String, _ bytes: [UInt8]) {
        #expect(Base64URL.decode(text) == bytes)
        #expect(Base64URL.encode(bytes) == text)
    }

    @Test(arguments: ["Zg==", "Zm9v=", "Z", "Zh", "Zm9=", "Zm+v", "Zm/v", "Zm 9v", "Zm9v\n", "Zm9w!"])
    func base64urlRefusesNonCanonical(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test(arguments: [
        #"{"a":1,"a":2}"#, #"{"a":1,}"#, #"[1,]"#, #"{"a":01}"#, #"{"a":"\u00"}"#, #"{"a":"\ud800"}"#, "{\"a\":\"\u{01}\"}", #"{"a":tru}"#,
        #"{"a":1} x"#, #"{'a':1}"#, #"{"a":NaN}"#, #"{"a":1e}"#, String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
    ])
    func jsonRefusesMalformed(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func jsonParsesNestedValues() throws {
        let value = try JSONParser.parse(Array(#" {"s":"a\"\u00e9\ud83d\ude00","n":-1.5e2,"b":[true,false,null],"o":{}} "#.utf8))
        let object = try #require(value.object)
        #expect(object["s"] == .string("a\"é😀"))
        #expect(object["n"] == .number(-150))
        #expect(object["b"] == .array([.bool(true), .bool(false), .null]))
        #expect(object["o"] == .object([:]))
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var name: String
        var token: String
        var failure: JWTFailure
        var testDescription: String { name }
    }

    static let header = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8))
    static let payload = Base64URL.encode(Array(#"{"sub":"x"}"#.utf8))

    static let malformed: [Malformed] = [
        Malformed(name: "two segments", token: "\(header).\(payload)", failure: .malformed),
        Malformed(name: "four segments", token: "\(header).\(payload).c2ln.c2ln", failure: .malformed),
        Malformed(name: "stripped signature", token: "\(header).\(payload).", failure: .missingSignature),
        Malformed(name: "alg none", token: Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + ".\(payload).", failure: .algNone),
        Malformed(name: "alg NoNe", token: Base64URL.encode(Array(#"{"alg":"NoNe"}"#.utf8)) + ".\(payload).c2ln", failure: .algNone),
        Malformed(name: "alg missing", token: Base64URL.encode(Array(#"{"typ":"JWT"}"#.utf8)) + ".\(payload).c2ln", failure: .malformed),
        Malformed(name: "alg not a string", token: Base64URL.encode(Array(#"{"alg":1}"#.utf8)) + ".\(payload).c2ln", failure: .malformed),
        Malformed(name: "crit", token: Base64URL.encode(Array(#"{"alg":"HS256","crit":["exp"],"exp":1}"#.utf8)) + ".\(payload).c2ln", failure: .critUnsupported),
        Malformed(name: "kid not a string", token: Base64URL.encode(Array(#"{"alg":"HS256","kid":7}"#.utf8)) + ".\(payload).c2ln", failure: .malformed),
        Malformed(name: "padded segment", token: "\(header)=.\(payload).c2ln", failure: .malformed),
        Malformed(name: "claims not an object", token: "\(header).\(Base64URL.encode(Array("[1]".utf8))).c2ln", failure: .malformed),
        Malformed(name: "duplicate claim", token: "\(header).\(Base64URL.encode(Array(#"{"sub":"a","sub":"b"}"#.utf8))).c2ln", failure: .malformed),
        Malformed(name: "not base64", token: "\(header).\(payload).c2l*", failure: .malformed),
    ]

    @Test(arguments: malformed)
    func tokensAreParsedStrictly(_ c: Malformed) {
        #expect(throws: c.failure) { try JWTToken(compact: Substring(c.token)) }
    }

    @Test func jkuX5uAndJwkHeadersAreIgnored() throws {
        let header = #"{"alg":"HS256","jku":"https://evil.test/jwks","x5u":"https://evil.test/c","jwk":{"kty":"oct","k":"AAAA"}}"#
        let token = try JWTToken(compact: Substring(TestSigner.token(header: header, claims: "{}", algorithm: "HS256")))
        #expect(token.algorithm == "HS256")
        #expect(token.kid == nil)
    }
}
