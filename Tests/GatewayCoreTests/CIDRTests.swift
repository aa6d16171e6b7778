import GatewayCore
import Testing

struct CIDRTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8", 8),
        ("192.168.1.1", "192.168.1.1/32", 32),
        ("10.1.2.3/32", "10.1.2.3/32", 32),
        ("0.0.0.0/0", "0.0.0.0/0", 0),
        ("10.128.0.0/9", "10.128.0.0/9", 9),
        ("2001:db8::/32", "2001:db8::/32", 32),
        ("2001:DB8:0::/48", "2001:db8::/48", 48),
        ("::1", "::1/128", 128),
        ("::/0", "::/0", 0),
        ("8000::/1", "8000::/1", 1),
        ("2001:db8::8000:0:0:0/65", "2001:db8:0:0:8000::/65", 65),
        // an IPv4-mapped block is the IPv4 block it maps
        ("::ffff:10.0.0.0/104", "10.0.0.0/8", 8),
        ("::ffff:0:0/96", "0.0.0.0/0", 0),
        ("::ffff:1.2.3.4", "1.2.3.4/32", 32),
    ])
    func parses(text: String, description: String, prefixLength: Int) throws {
        let cidr = try #require(CIDR(text))
        #expect(cidr.description == description)
        #expect(cidr.prefixLength == prefixLength)
    }

    @Test(arguments: [
        // host bits set beyond the prefix
        "10.0.0.1/8", "192.168.1.1/24", "10.0.0.0/0", "2001:db8::1/32", "::1/127", "2001:db8::8000:0:0:0/64",
        // prefix out of range or malformed
        "10.0.0.0/33", "::/129", "10.0.0.0/1000", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8",
        "10.0.0.0/8 ", "10.0.0.0/8/8", "10.0.0.0/abc", "10.0.0.0/0x8",
        // not an address
        "/8", "", "/", "example.com/8", "10.0.0/8", "01.0.0.0/8", "[::1]/128",
    ])
    func rejects(text: String) {
        #expect(CIDR(text) == nil)
    }

    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0", true),
        ("10.0.0.0/8", "10.255.255.255", true),
        ("10.0.0.0/8", "11.0.0.0", false),
        ("10.0.0.0/8", "9.255.255.255", false),
        ("10.128.0.0/9", "10.200.0.1", true),
        ("10.128.0.0/9", "10.127.255.255", false),
        ("192.168.1.0/24", "192.168.1.77", true),
        ("192.168.1.0/24", "192.168.2.1", false),
        ("192.168.1.1", "192.168.1.1", true),
        ("192.168.1.1", "192.168.1.2", false),
        ("0.0.0.0/0", "1.2.3.4", true),
        ("0.0.0.0/0", "255.255.255.255", true),
        ("0.0.0.0/0", "0.0.0.0", true),
        ("0.0.0.0/0", "::1", false),
        ("0.0.0.0/0", "2001:db8::1", false),
        ("2001:db8::/32", "2001:db8::1", true),
        ("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true),
        ("2001:db8::/32", "2001:db9::", false),
        ("2001:db8::/32", "10.0.0.1", false),
        ("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true),
        ("2001:db8::/64", "2001:db8:0:1::", false),
        ("2001:db8::/96", "2001:db8::ffff:ffff", true),
        ("2001:db8::/96", "2001:db8::1:0:0", false),
        ("::/127", "::1", true),
        ("::/127", "::2", false),
        ("8000::/1", "ffff::", true),
        ("8000::/1", "7fff::", false),
        ("::/0", "::1", true),
        ("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true),
        ("::/0", "1.2.3.4", false),
        ("::1", "::1", true),
        ("::1", "::2", false),
        // IPv4-mapped addresses count as IPv4, whichever way the block is written
        ("10.0.0.0/8", "::ffff:10.1.2.3", true),
        ("10.0.0.0/8", "::ffff:11.1.2.3", false),
        ("0.0.0.0/0", "::ffff:8.8.8.8", true),
        ("::ffff:10.0.0.0/104", "10.1.2.3", true),
        ("::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true),
        ("::ffff:10.0.0.0/104", "11.1.2.3", false),
        ("::ffff:10.1.2.3", "::ffff:10.1.2.3", true),
        ("::ffff:10.1.2.3", "10.1.2.3", true),
        // an IPv4-compatible (not mapped) address is IPv6
        ("1.2.3.4", "::1.2.3.4", false),
    ])
    func contains(cidr: String, address: String, expected: Bool) throws {
        let block = try #require(CIDR(cidr))
        let ip = try #require(IPAddress(address))
        #expect(block.contains(ip) == expected)
    }
}
