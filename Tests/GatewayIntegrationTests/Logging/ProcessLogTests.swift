import Foundation
import GatewayTestSupport
import NIOCore
import NIOPosix
import Testing

/// The real binary's logs: stderr is JSON lines with levels per subsystem that a reload changes,
/// and the access log writes the configured fields only.
@Suite("Process log") struct ProcessLogTests {
    static func config(admin: Int, listen: Int, accessLog: String, reloadLevel: String) -> String {
        """
        worker_threads 1;
        log {
            format json;
            level info;
            level admin warning;
            level reload \(reloadLevel);
        }
        access_log \(accessLog) { fields request_id status path; }
        listen 127.0.0.1:\(listen);
        admin 127.0.0.1:\(admin);
        route /version { respond 200 "one"; }
        """
    }

    /// Each line of the process output that is not empty, parsed as a JSON object.
    static func objects(_ text: String) -> [[String: Any]]? {
        var out: [[String: Any]] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
            out.append(object)
        }
        return out
    }

    @Test func stderrIsJSONLinesWithLevelsPerSubsystemAndTheAccessLogHasItsFields() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let admin = try await GatewayProcess.freePort(group: group)
        let listen = try await GatewayProcess.freePort(group: group)
        let file = try ConfigFile("")
        let accessLog = file.directory + "/access.log"
        try file.write(Self.config(admin: admin, listen: listen, accessLog: accessLog, reloadLevel: "warning"))
        let gateway = try GatewayProcess(arguments: ["run", "--config", file.path])
        let started = await GatewayProcessTests.readiness(port: admin, group: group) { $0.contains(#""generation":1"#) }
        #expect(started != nil, "gateway did not become ready: \(gateway.text)")

        let client = try await KeepAliveClient.connect(port: listen, group: group)
        #expect(try await client.request(path: "/version?token=secret").body == "one")
        await client.close()

        // A reload while the reload subsystem logs warnings only: nothing about it in the log.
        gateway.signal(SIGHUP)
        #expect(await GatewayProcessTests.readiness(port: admin, group: group) { $0.contains(#""generation":2"#) } != nil)
        // The reload that lowers the level logs its own success.
        try file.write(Self.config(admin: admin, listen: listen, accessLog: accessLog, reloadLevel: "info"))
        gateway.signal(SIGHUP)
        #expect(await GatewayProcessTests.readiness(port: admin, group: group) { $0.contains(#""generation":3"#) } != nil)
        #expect(await gateway.waitForOutput("configuration reloaded"))
        #expect(await gateway.stop() == 0)

        let objects = try #require(Self.objects(gateway.text), "stderr has a line that is not a JSON object:\n\(gateway.text)")
        for object in objects {
            #expect(object["ts"] is String && object["level"] is String && object["logger"] is String && object["msg"] is String, "\(object)")
        }
        let reloads = objects.filter { $0["msg"] as? String == "configuration reloaded" }
        #expect(reloads.count == 1, "\(gateway.text)")
        #expect(reloads.first?["logger"] as? String == "gateway.reload")
        #expect(reloads.first?["generation"] as? String == "3")
        #expect(!objects.contains { $0["logger"] as? String == "gateway.admin" }, "admin logs at warning only:\n\(gateway.text)")
        #expect(objects.contains { $0["logger"] as? String == "gateway" && $0["level"] as? String == "info" })

        let lines = try String(contentsOfFile: accessLog, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let entry = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
        #expect(Set(entry.keys) == ["request_id", "status", "path"])
        #expect(entry["status"] as? Int == 200)
        #expect(entry["path"] as? String == "/version")
        #expect(lines.first?.hasPrefix(#"{"request_id":""#) == true)
        try await group.shutdownGracefully()
        file.remove()
    }
}
