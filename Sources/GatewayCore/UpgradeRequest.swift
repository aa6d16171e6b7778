import NIOHTTP1

/// Protocol upgrades asked for by an HTTP/1.1 request (RFC 9110 §7.8).
///
/// The gateway tunnels exactly one upgrade, WebSocket (RFC 6455), on routes that allow it. Any
/// other upgrade (`h2c` among them) is never forwarded: `Upgrade` is hop-by-hop and removed, the
/// request is served as plain HTTP, and the connection closes after the response (the HTTP/1
/// parser stops reading a connection once an upgrade was asked for).
public enum UpgradeRequest {
    /// Whether the head asks for an upgrade: an `Upgrade` field named in `Connection`.
    public static func isRequested(_ headers: HTTPHeaders) -> Bool {
        headers.contains(name: "upgrade") && ProxyHeaders.connectionTokens(headers).contains("upgrade")
    }

    /// Whether the head is a WebSocket opening handshake the gateway may tunnel: GET over
    /// HTTP/1.1, `Connection: upgrade`, and `Upgrade` naming only `websocket`.
    public static func isWebSocket(_ head: HTTPRequestHead) -> Bool {
        guard head.method == .GET, head.version == .http1_1, isRequested(head.headers) else { return false }
        let values = head.headers[canonicalForm: "upgrade"]
        return values.count == 1 && values[0].lowercased() == "websocket"
    }

    /// The headers that ask the upstream for the WebSocket upgrade, added to the cleaned request.
    public static func addWebSocketUpgrade(to headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: "Connection", value: "Upgrade")
        headers.replaceOrAdd(name: "Upgrade", value: "websocket")
    }
}
