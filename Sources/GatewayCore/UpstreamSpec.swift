import NIOCore

/// A named group of upstream servers and how to talk to them.
///
/// Hashable without its source location, so that a reload reuses the pools (and TLS context) of
/// an upstream whose settings did not change even when its lines moved in the file.
public struct UpstreamSpec: Sendable, Hashable {
    public var name: String
    public var servers: [UpstreamServer]
    public var balance: BalanceAlgorithm
    /// TCP connect deadline for one server.
    public var connectTimeout: TimeAmount
    /// From the request being sent until the response head arrives.
    public var firstByteTimeout: TimeAmount
    /// Longest pause between two reads of a response body (and between request body writes).
    public var idleTimeout: TimeAmount
    /// Idle keep-alive connections kept per event loop.
    public var keepaliveConnections: Int
    /// How long an idle keep-alive connection is kept before it is closed.
    public var keepaliveTimeout: TimeAmount
    /// How many different servers a failed connect may be retried on (no byte sent yet).
    public var maxConnectAttempts: Int
    /// TLS to the servers of this group; `nil` speaks cleartext HTTP/1.1.
    public var tls: UpstreamTLS?
    /// Passive health: servers failing in a row are ejected for a while; `nil` never ejects.
    public var outlierDetection: OutlierDetection?
    /// Circuit breaking: connections, pending and in-flight requests allowed (gateway-wide).
    public var limits: CircuitBreakerLimits
    /// Which failures are tried again on another server, how often, and within what budget.
    public var retry: RetryPolicy
    /// Active health: servers probed in the background; `nil` probes nothing.
    public var healthCheck: HealthCheck?
    /// How long a server that comes back takes to reach its full weight; `nil` takes it at once.
    public var slowStart: TimeAmount?
    public var location: SourceLocation?

    public init(
        name: String,
        servers: [UpstreamServer],
        balance: BalanceAlgorithm = .roundRobin,
        connectTimeout: TimeAmount = .seconds(5),
        firstByteTimeout: TimeAmount = .seconds(60),
        idleTimeout: TimeAmount = .seconds(60),
        keepaliveConnections: Int = 32,
        keepaliveTimeout: TimeAmount = .seconds(60),
        maxConnectAttempts: Int = 3,
        tls: UpstreamTLS? = nil,
        outlierDetection: OutlierDetection? = nil,
        retry: RetryPolicy = RetryPolicy(),
        limits: CircuitBreakerLimits = CircuitBreakerLimits(),
        healthCheck: HealthCheck? = nil,
        slowStart: TimeAmount? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.servers = servers
        self.balance = balance
        self.connectTimeout = connectTimeout
        self.firstByteTimeout = firstByteTimeout
        self.idleTimeout = idleTimeout
        self.keepaliveConnections = keepaliveConnections
        self.keepaliveTimeout = keepaliveTimeout
        self.maxConnectAttempts = maxConnectAttempts
        self.tls = tls
        self.outlierDetection = outlierDetection
        self.retry = retry
        self.limits = limits
        self.healthCheck = healthCheck
        self.slowStart = slowStart
        self.location = location
    }

    public static func == (a: UpstreamSpec, b: UpstreamSpec) -> Bool {
        a.name == b.name && a.servers == b.servers && a.balance == b.balance && a.connectTimeout == b.connectTimeout
            && a.firstByteTimeout == b.firstByteTimeout && a.idleTimeout == b.idleTimeout
            && a.keepaliveConnections == b.keepaliveConnections && a.keepaliveTimeout == b.keepaliveTimeout
            && a.maxConnectAttempts == b.maxConnectAttempts && a.tls == b.tls
            && a.healthCheck == b.healthCheck && a.slowStart == b.slowStart
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(servers)
        hasher.combine(balance)
        hasher.combine(connectTimeout)
        hasher.combine(firstByteTimeout)
        hasher.combine(idleTimeout)
        hasher.combine(keepaliveConnections)
        hasher.combine(keepaliveTimeout)
        hasher.combine(maxConnectAttempts)
        hasher.combine(tls)
        hasher.combine(healthCheck)
        hasher.combine(slowStart)
    }

    /// The name sent as SNI and verified against `server`'s certificate: the configured one,
    /// else the server's host when it is a name (IP literals are verified without SNI).
    public func tlsServerName(for server: Int) -> String? {
        if let name = tls?.serverName { return name }
        let host = servers[server].host
        return IPAddress(host) == nil ? host : nil
    }
}

/// One server of an upstream group.
public struct UpstreamServer: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var weight: Int

    public init(host: String, port: Int, weight: Int = 1) {
        self.host = host
        self.port = port
        self.weight = weight
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
