import NIOHTTP1

/// What the headers sent upstream for one request are made from, kept until the request is
/// forwarded: an answer the gateway makes itself (a cache hit, a refusal, a preflight) never
/// builds them. Immutable, so the headers it makes are the same whenever they are made.
public final class UpstreamHeadersSource: Sendable {
    public let inbound: HTTPHeaders
    public let downstream: ProxyHeaders.Downstream
    public let hostOverride: String?
    /// A WebSocket handshake the route tunnels: the upgrade is asked for again upstream.
    public let webSocketUpgrade: Bool

    public init(inbound: HTTPHeaders, downstream: ProxyHeaders.Downstream, hostOverride: String?, webSocketUpgrade: Bool) {
        self.inbound = inbound
        self.downstream = downstream
        self.hostOverride = hostOverride
        self.webSocketUpgrade = webSocketUpgrade
    }

    public func make() -> HTTPHeaders {
        var headers = ProxyHeaders.upstreamRequestHeaders(inbound, downstream: downstream, hostOverride: hostOverride)
        if webSocketUpgrade { UpgradeRequest.addWebSocketUpgrade(to: &headers) }
        return headers
    }
}
