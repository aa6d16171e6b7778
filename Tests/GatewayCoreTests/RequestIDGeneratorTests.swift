import GatewayCore
import Testing

struct RequestIDGeneratorTests {
    @Test func generatesThirtyTwoLowerCaseHexDigits() {
        var generator = RequestIDGenerator()
        for _ in 0..<100 {
            let id = generator.generate()
            #expect(id.utf8.count == 32)
            #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(id)")
            #expect(RequestIDGenerator.isValid(id))
        }
    }

    @Test func idsAreDistinct() {
        var generator = RequestIDGenerator()
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(generator.generate()) }
        #expect(seen.count == 10_000)
    }

    @Test func generatorsAreSeededIndependently() {
        var first = RequestIDGenerator()
        var second = RequestIDGenerator()
        let a = (0..<8).map { _ in first.generate() }
        let b = (0..<8).map { _ in second.generate() }
        #expect(Set(a).isDisjoint(with: b))
    }

    @Test(arguments: [
        ("a", true),
        ("0123456789abcdef0123456789abcdef", true),
        ("ABC-def_123.456:789", true),
        ("f47ac10b-58cc-4372-a567-0e02b2c3d479", true),
        (String(repeating: "x", count: 128), true),
        (String(repeating: "x", count: 129), false),
        ("", false),
        ("a b", false),
        ("a\tb", false),
        ("a\r\nb", false),
        ("a\u{0}", false),
        ("a/b", false),
        ("a+b", false),
        ("a=b", false),
        ("a\"b", false),
        ("a,b", false),
        ("a;b", false),
        ("é", false),
        ("a\u{7F}", false),
    ])
    func isValid(id: String, expected: Bool) {
        #expect(RequestIDGenerator.isValid(id) == expected)
    }
}
