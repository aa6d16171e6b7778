import Foundation
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// The real binary: SIGHUP reloads it, `gateway reload` asks it through the admin listener, an
/// invalid file is refused with its location, SIGTERM ends it cleanly.
@Suite("Gateway process") struct GatewayProcessTests {
    static func config(admin: Int, body: String) -> String {
        """
        worker_threads 1;
        access_log off;
        listen 127.0.0.1:0;
        admin 127.0.0.1:\(admin);
        route /version { respond 200 "\(body)"; }
        """
    }

    /// Polls `/readyz` (bounded: 600 × 50 ms) until `condition` holds for its body.
    static func readiness(port: Int, group: any EventLoopGroup, until condition: (String) -> Bool) async -> String? {
        for _ in 0..<600 {
            if let client = try? await KeepAliveClient.connect(port: port, group: group) {
                let body = (try? await client.request(path: "/readyz"))?.body
                await client.close()
                if let body, condition(body) { return body }
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return nil
    }

    @Test func sighupAndTheReloadCommandReloadTheRunningBinary() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let port = try await GatewayProcess.freePort(group: group)
        let file = try ConfigFile(Self.config(admin: port, body: "one"))
        let gateway = try GatewayProcess(arguments: ["run", "--config", file.path])
        let started = await Self.readiness(port: port, group: group) { $0.contains(#""generation":1"#) }
        #expect(started != nil, "gateway did not become ready: \(gateway.text)")

        try file.write(Self.config(admin: port, body: "two"))
        gateway.signal(SIGHUP)
        #expect(await Self.readiness(port: port, group: group) { $0.contains(#""generation":2"#) } != nil)

        try file.write(Self.config(admin: port, body: "three") + "\nroute /x { proxy nowhere; }\n")
        gateway.signal(SIGHUP)
        let refused = await Self.readiness(port: port, group: group) { $0.contains(#""failed":1"#) }
        #expect(refused?.contains(#""generation":2"#) == true)
        #expect(await gateway.waitForOutput("configuration reload refused"))
        #expect(await gateway.waitForOutput("\(file.path):6:"))

        try file.write(Self.config(admin: port, body: "four"))
        let reload = try Subprocess.run([GatewayProcess.binary, "reload", "--config", file.path])
        #expect(reload.status == 0, "\(reload.output)")
        #expect(reload.output.contains(#""status":"reloaded","generation":3"#))

        try file.write("listen 127.0.0.1:0;\nroute /x { proxy nowhere; }\n")
        let invalid = try Subprocess.run([GatewayProcess.binary, "reload", "--config", file.path])
        #expect(invalid.status == 1)
        #expect(invalid.output.contains("\(file.path):2:"))
        #expect(invalid.output.contains("nothing was reloaded"))

        #expect(await gateway.stop() == 0)
        try await group.shutdownGracefully()
        file.remove()
    }
}
