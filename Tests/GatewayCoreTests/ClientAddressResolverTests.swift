import GatewayCore
import Testing

struct ClientAddressResolverTests {
    private static let resolver = ClientAddressResolver(trustedProxies: [CIDR("10.0.0.0/8")!, CIDR("2001:db8::/32")!])

    @Test(arguments: [
        // an untrusted peer is the client, whatever it claims
        ("1.2.3.4", [], "1.2.3.4"),
        ("1.2.3.4", ["9.9.9.9"], "1.2.3.4"),
        ("1.2.3.4", ["10.0.0.2"], "1.2.3.4"),
        ("2001:db9::1", ["9.9.9.9"], "2001:db9::1"),
        ("::ffff:1.2.3.4", ["9.9.9.9"], "1.2.3.4"),
        // a trusted peer without forwarding headers is the client
        ("10.0.0.1", [], "10.0.0.1"),
        ("10.0.0.1", [""], "10.0.0.1"),
        // a trusted peer's list is walked right to left
        ("10.0.0.1", ["9.9.9.9"], "9.9.9.9"),
        ("10.0.0.1", ["6.6.6.6, 9.9.9.9"], "9.9.9.9"),
        ("10.0.0.1", ["6.6.6.6, 9.9.9.9, 10.0.0.2"], "9.9.9.9"),
        ("10.0.0.1", ["6.6.6.6, 9.9.9.9, 10.0.0.3, 10.0.0.2"], "9.9.9.9"),
        ("2001:db8::10", ["9.9.9.9, 2001:db8::11"], "9.9.9.9"),
        ("::ffff:10.0.0.1", ["9.9.9.9"], "9.9.9.9"),
        // every hop trusted: the leftmost
        ("10.0.0.1", ["10.0.0.3, 10.0.0.2"], "10.0.0.3"),
        ("10.0.0.1", ["2001:db8::5, 10.0.0.2"], "2001:db8::5"),
        // an unparsable entry stops the walk at the last good address
        ("10.0.0.1", ["6.6.6.6, garbage, 10.0.0.2"], "10.0.0.2"),
        ("10.0.0.1", ["garbage"], "10.0.0.1"),
        ("10.0.0.1", ["6.6.6.6, unknown"], "10.0.0.1"),
        ("10.0.0.1", ["6.6.6.6, 9.9.9.9:99999:1"], "10.0.0.1"),
        ("10.0.0.1", ["6.6.6.6, [::1"], "10.0.0.1"),
        ("10.0.0.1", ["6.6.6.6, 01.2.3.4"], "10.0.0.1"),
        ("10.0.0.1", ["6.6.6.6, 9.9.9.9 10.0.0.2"], "10.0.0.1"),
        // several fields are one list, in order
        ("10.0.0.1", ["6.6.6.6", "9.9.9.9, 10.0.0.2"], "9.9.9.9"),
        ("10.0.0.1", ["6.6.6.6", "10.0.0.2"], "6.6.6.6"),
        ("10.0.0.1", ["10.0.0.3", "10.0.0.2"], "10.0.0.3"),
        ("10.0.0.1", ["6.6.6.6", "garbage", "10.0.0.2"], "10.0.0.2"),
        // ports and brackets
        ("10.0.0.1", ["9.9.9.9:4711"], "9.9.9.9"),
        ("10.0.0.1", ["[2001:db9::1]:443"], "2001:db9::1"),
        ("10.0.0.1", ["[2001:db9::1]"], "2001:db9::1"),
        ("10.0.0.1", ["2001:db9::1"], "2001:db9::1"),
        ("10.0.0.1", ["9.9.9.9, 10.0.0.2:8080"], "9.9.9.9"),
        ("10.0.0.1", ["::ffff:9.9.9.9"], "9.9.9.9"),
        ("10.0.0.1", ["::ffff:10.0.0.7, 10.0.0.2"], "10.0.0.7"),
        // whitespace and empty list items
        ("10.0.0.1", [" 9.9.9.9 ,\t10.0.0.2 "], "9.9.9.9"),
        ("10.0.0.1", ["9.9.9.9,,10.0.0.2"], "9.9.9.9"),
    ])
    func resolves(peer: String, forwardedFor: [String], expected: String) throws {
        let peerAddress = try #require(IPAddress(peer))
        let client = Self.resolver.resolve(peer: peerAddress, forwardedFor: forwardedFor)
        #expect(client == IPAddress(expected))
    }

    @Test(arguments: [
        ("10.1.2.3", true), ("11.1.2.3", false), ("::ffff:10.1.2.3", true), ("2001:db8::1", true), ("::1", false),
    ])
    func isTrusted(address: String, expected: Bool) throws {
        #expect(Self.resolver.isTrusted(try #require(IPAddress(address))) == expected)
    }

    @Test(arguments: [("::ffff:10.0.0.1", "9.9.9.9"), ("10.0.0.1", "9.9.9.9"), ("11.0.0.1", "11.0.0.1")])
    func trustedProxiesWrittenAsIPv4MappedBlocks(peer: String, expected: String) throws {
        let resolver = ClientAddressResolver(trustedProxies: [try #require(CIDR("::ffff:10.0.0.0/104"))])
        let client = resolver.resolve(peer: try #require(IPAddress(peer)), forwardedFor: ["9.9.9.9, 10.0.0.2"])
        #expect(client == IPAddress(expected))
    }

    @Test func withoutTrustedProxiesThePeerIsAlwaysTheClient() throws {
        let resolver = ClientAddressResolver(trustedProxies: [])
        let peer = try #require(IPAddress("127.0.0.1"))
        #expect(resolver.resolve(peer: peer, forwardedFor: ["9.9.9.9"]) == peer)
    }
}
