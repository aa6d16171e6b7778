import NIOCore

/// Settings that apply to the whole gateway rather than to one route.
public struct ServerSettings: Sendable, Hashable {
    /// Event loop threads; `nil` means one per CPU core.
    public var workerThreads: Int?
    /// Peers whose `X-Forwarded-*` and `X-Request-ID` headers are believed. The one setting used
    /// wherever a client address is needed.
    public var trustedProxies: [CIDR]
    /// Value of the `Server` response header; `nil` sends none. Never carries a version.
    public var serverHeader: String?
    public var accessLog: AccessLogTarget
    /// The fields of an access log line, in order (``AccessLogField/defaults`` unless configured).
    public var accessLogFields: [AccessLogField]
    /// Format and levels of the process log.
    public var logging: LogSettings
    public var timeouts: ServerTimeouts
    /// How long in-flight requests may run after SIGTERM before connections are closed.
    public var drainTimeout: TimeAmount
    /// Limits on the request head, checked before routing on every request.
    public var headLimits: HeadLimits
    /// Limits and windows of HTTP/2 client connections.
    public var http2: HTTP2Limits
    /// How often certificate and key files of TLS listeners are checked for changes; `nil` never.
    public var certificateCheckInterval: TimeAmount?
    /// How often upstream server host names are looked up again (off the event loops); `nil` never.
    public var resolveInterval: TimeAmount?
    /// The admin listener; `nil` (the default) runs none.
    public var admin: AdminSpec?

    public init(
        workerThreads: Int? = nil,
        trustedProxies: [CIDR] = [],
        serverHeader: String? = "gateway",
        accessLog: AccessLogTarget = .stdout,
        accessLogFields: [AccessLogField] = AccessLogField.defaults,
        logging: LogSettings = LogSettings(),
        timeouts: ServerTimeouts = ServerTimeouts(),
        drainTimeout: TimeAmount = .seconds(30),
        headLimits: HeadLimits = HeadLimits(),
        http2: HTTP2Limits = HTTP2Limits(),
        certificateCheckInterval: TimeAmount? = .seconds(60),
        resolveInterval: TimeAmount? = .seconds(30),
        admin: AdminSpec? = nil
    ) {
        self.workerThreads = workerThreads
        self.trustedProxies = trustedProxies
        self.serverHeader = serverHeader
        self.accessLog = accessLog
        self.accessLogFields = accessLogFields
        self.logging = logging
        self.timeouts = timeouts
        self.drainTimeout = drainTimeout
        self.headLimits = headLimits
        self.http2 = http2
        self.certificateCheckInterval = certificateCheckInterval
        self.resolveInterval = resolveInterval
        self.admin = admin
    }
}

/// Where access log lines go.
public enum AccessLogTarget: Sendable, Hashable {
    case off
    case stdout
    case file(String)
}

/// Timeouts that protect the gateway from slow or idle clients.
public struct ServerTimeouts: Sendable, Hashable {
    /// From the first byte of a request (or the connection's start) until its head is complete.
    public var requestHead: TimeAmount
    /// Longest pause between two reads of a request body.
    public var bodyIdle: TimeAmount
    /// Longest wait for the next request on a keep-alive connection.
    public var keepaliveIdle: TimeAmount
    /// Longest pause while writing a response to a client that does not read.
    public var sendIdle: TimeAmount

    public init(
        requestHead: TimeAmount = .seconds(10),
        bodyIdle: TimeAmount = .seconds(30),
        keepaliveIdle: TimeAmount = .seconds(75),
        sendIdle: TimeAmount = .seconds(60)
    ) {
        self.requestHead = requestHead
        self.bodyIdle = bodyIdle
        self.keepaliveIdle = keepaliveIdle
        self.sendIdle = sendIdle
    }
}
