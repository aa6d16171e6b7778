import Foundation
import NIOCore
import NIOPosix

/// Ports for child processes that are told their port before they bind it (a `gateway run`
/// configuration, `redis-server --port`).
///
/// A port from bind(0) is in the kernel's ephemeral range, and once released it can be handed out
/// again at once: to another test's listener on port 0, or as the local port of any outgoing
/// connection of the test process, before the child binds it. So the port is chosen below that
/// range (`ip_local_port_range`, from 32768 by default), where neither happens, and checked free by
/// binding it. What is left is two such picks choosing the same port at the same moment.
public enum FreePort {
    public static func pick(group: any EventLoopGroup) async throws -> Int {
        let ephemeral = ephemeralRangeStart()
        guard ephemeral > lowest + 1000 else { return try await bound(port: 0, group: group) ?? 0 }
        // Bounded: 100 random candidates.
        for _ in 0..<100 {
            if let port = try await bound(port: Int.random(in: lowest..<ephemeral), group: group) { return port }
        }
        throw FreePortError.noneFree(lowest..<ephemeral)
    }

    /// Below the registered ports that services on a test machine tend to use.
    public static let lowest = 20000

    /// The first port of the kernel's ephemeral range (32768 if it cannot be read).
    public static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
    }

    /// Binds 127.0.0.1:`port` and releases it; the port, or `nil` when it is in use.
    private static func bound(port: Int, group: any EventLoopGroup) async throws -> Int? {
        guard let channel = try? await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: port).get() else { return nil }
        let bound = channel.localAddress?.port
        try await channel.close()
        return bound
    }
}

/// Why ``FreePort`` found no port.
public enum FreePortError: Error {
    case noneFree(Range<Int>)
}
