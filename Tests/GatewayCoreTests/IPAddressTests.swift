import GatewayCore
import Testing

struct IPAddressTests {
    @Test(arguments: [
        ("0.0.0.0", UInt32(0)),
        ("1.2.3.4", 0x0102_0304),
        ("10.0.0.1", 0x0A00_0001),
        ("192.168.100.200", 0xC0A8_64C8),
        ("100.10.1.109", 0x640A_016D),
        ("255.255.255.255", 0xFFFF_FFFF),
    ])
    func parsesIPv4(text: String, value: UInt32) throws {
        let address = try #require(IPAddress(text))
        #expect(address == .v4(value))
        #expect(address.description == text)
    }

    @Test(arguments: [
        // leading zeros are ambiguous (octal in inet_aton) and refused
        "01.2.3.4", "1.2.3.04", "00.0.0.0", "1.2.3.00", "010.0.0.1",
        // out of range
        "256.0.0.1", "1.2.3.256", "999.1.1.1", "1234.1.1.1",
        // wrong shape
        "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3", "", ".", "...", "1", "16909060",
        // not digits
        "a.b.c.d", "1.2.3.-4", "+1.2.3.4", "1.2.3.+4", " 1.2.3.4", "1.2.3.4 ", "0x1.2.3.4", "1.2.3.4/8", "1.2.3.٤",
    ])
    func rejectsInvalidIPv4(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("::0", "::"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("fe80::", "fe80::"),
        ("FE80::ABCD:EF01", "fe80::abcd:ef01"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("1:0:0:2:0:0:0:0", "1:0:0:2::"),
        ("0:0:1:0:0:0:1:0", "0:0:1::1:0"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        // RFC 5952 §5: IPv4-mapped addresses in mixed notation
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("::FFFF:10.0.0.1", "::ffff:10.0.0.1"),
        ("0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"),
        ("::ffff:0.0.0.0", "::ffff:0.0.0.0"),
    ])
    func parsesIPv6InCanonicalForm(text: String, canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test(arguments: [
        ("::", UInt64(0), UInt64(0)),
        ("::1", 0, 1),
        ("2001:db8::1", 0x2001_0DB8_0000_0000, 1),
        ("::ffff:1.2.3.4", 0, 0x0000_FFFF_0102_0304),
        ("1:2:3:4:5:6:7:8", 0x0001_0002_0003_0004, 0x0005_0006_0007_0008),
    ])
    func parsesIPv6Bits(text: String, hi: UInt64, lo: UInt64) {
        #expect(IPAddress(text) == .v6(hi, lo))
    }

    @Test(arguments: [
        ":::", "::::", "1::2::3", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8::", "1:2:3:4::5:6:7:8", "12345::", "g::", "::g", ":1::", "1::2:", ":1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:", "+1::", "::-0", "::+ff", "1::0x1",
        "::1.2.3", "::1.2.3.4:5", "1.2.3.4::", "::01.2.3.4", "::ffff:256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4",
        "1::2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "[::1]", " ::1", "::1 ", ":", "1:2",
    ])
    func rejectsInvalidIPv6(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("::1", "::1"),
        ("::fffe:1.2.3.4", "::fffe:102:304"),
        ("1::ffff:1.2.3.4", "1::ffff:102:304"),
        ("::1.2.3.4", "::102:304"),
        ("1.2.3.4", "1.2.3.4"),
    ])
    func unmapsOnlyIPv4MappedAddresses(text: String, expected: String) throws {
        let unmapped = try #require(IPAddress(text)).unmapped
        #expect(unmapped.description == expected)
        #expect(unmapped == IPAddress(expected))
    }

    @Test func substringInitialiserParsesASlice() {
        let text = "[2001:db8::1]:443"
        let inner = text.dropFirst().prefix(while: { $0 != "]" })
        #expect(IPAddress(inner) == IPAddress("2001:db8::1"))
    }
}
