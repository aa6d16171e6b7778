import GatewayCore
import Testing

struct ListenerSpecTests {
    @Test(arguments: [
        ("", "0.0.0.0", true),
        ("*", "0.0.0.0", true),
        ("0.0.0.0", "0.0.0.0", true),
        ("::", "::", true),
        ("[::]", "::", true),
        ("127.0.0.1", "127.0.0.1", false),
        ("[::1]", "::1", false),
        ("::1", "::1", false),
        ("localhost", "127.0.0.1", false),
    ])
    func bindHost(host: String, bindHost: String, isWildcard: Bool) {
        let spec = ListenerSpec(host: host, port: 8080)
        #expect(spec.bindHost == bindHost)
        #expect(spec.isWildcard == isWildcard)
    }

    @Test(arguments: [
        ("127.0.0.1", 8080, "127.0.0.1:8080"),
        ("[::1]", 443, "[::1]:443"),
        ("*", 80, "0.0.0.0:80"),
    ])
    func displayAddress(host: String, port: Int, expected: String) {
        #expect(ListenerSpec(host: host, port: port).displayAddress == expected)
    }

    @Test(arguments: [
        // same address and port
        ("127.0.0.1", 8080, "127.0.0.1", 8080, true),
        ("[::1]", 8080, "::1", 8080, true),
        ("localhost", 8080, "127.0.0.1", 8080, true),
        // a wildcard steals every address on its port
        ("*", 8080, "127.0.0.1", 8080, true),
        ("127.0.0.1", 8080, "", 8080, true),
        ("0.0.0.0", 443, "[::1]", 443, true),
        ("::", 443, "10.0.0.1", 443, true),
        ("*", 80, "[::]", 80, true),
        // different ports or addresses
        ("127.0.0.1", 8080, "127.0.0.1", 8081, false),
        ("*", 80, "*", 443, false),
        ("127.0.0.1", 8080, "127.0.0.2", 8080, false),
        ("127.0.0.1", 8080, "::1", 8080, false),
        // port 0 asks for an ephemeral port and never collides
        ("127.0.0.1", 0, "127.0.0.1", 0, false),
        ("*", 0, "*", 0, false),
    ])
    func overlaps(hostA: String, portA: Int, hostB: String, portB: Int, expected: Bool) {
        let a = ListenerSpec(host: hostA, port: portA)
        let b = ListenerSpec(host: hostB, port: portB)
        #expect(a.overlaps(b) == expected)
        #expect(b.overlaps(a) == expected)
    }
}
