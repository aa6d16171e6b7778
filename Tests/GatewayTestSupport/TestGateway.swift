import GatewayConfig
import GatewayCore
import GatewayServer
import Logging
import NIOCore
import NIOPosix

/// The real gateway server, in process, on an ephemeral port.
public final class TestGateway: Sendable {
    public let server: GatewayServer
    public let port: Int
    /// The ports of every listener, in plan order.
    public let ports: [Int]

    /// A gateway serving `file`, which ``GatewayServer/reload()`` reads again.
    public convenience init(file: ConfigFile, logger: Logger? = nil) async throws {
        try await self.init(plan: try file.plan(), logger: logger, source: file.source)
    }

    public init(plan: GatewayPlan, logger: Logger? = nil, source: ConfigSource? = nil) async throws {
        var quiet = Logger(label: "gateway.test")
        quiet.logLevel = .warning
        let logger = logger ?? quiet
        server = try await GatewayServer(plan: plan, logger: logger, source: source)
        try await server.start()
        ports = server.localAddresses.map { $0.port! }
        port = ports[0]
    }

    public func stop(drainTimeout: TimeAmount = .seconds(5)) async {
        await server.shutdown(drainTimeout: drainTimeout)
    }
}

/// Builds plans in code for tests that are not about the configuration language.
public enum TestPlans {
    /// A plan with the given listeners, routes and upstreams (one worker, no access log).
    public static func plan(
        listeners: [ListenerSpec],
        upstreams: [UpstreamSpec] = [],
        routes: [Route],
        settings configureSettings: (inout ServerSettings) -> Void = { _ in }
    ) -> GatewayPlan {
        var settings = ServerSettings(workerThreads: 1, accessLog: .off)
        configureSettings(&settings)
        return GatewayPlan(
            settings: settings,
            listeners: listeners,
            upstreams: Dictionary(uniqueKeysWithValues: upstreams.map { ($0.name, $0) }),
            routes: RouteTable(routes: routes)
        )
    }

    public static func proxy(
        to ports: [Int],
        routes extra: [Route] = [],
        upstream configure: (inout UpstreamSpec) -> Void = { _ in },
        settings configureSettings: (inout ServerSettings) -> Void = { _ in }
    ) -> GatewayPlan {
        var spec = UpstreamSpec(name: "app", servers: ports.map { UpstreamServer(host: "127.0.0.1", port: $0) })
        configure(&spec)
        var settings = ServerSettings(workerThreads: 1, accessLog: .off)
        configureSettings(&settings)
        let routes = extra + [Route(path: .prefix("/"), action: .proxy(ProxyTarget(upstream: "app")))]
        return GatewayPlan(
            settings: settings,
            listeners: [ListenerSpec(host: "127.0.0.1", port: 0)],
            upstreams: ["app": spec],
            routes: RouteTable(routes: routes)
        )
    }
}
