import NIOHTTP1

/// The header rewriting of a correct reverse proxy (RFC 9110 §7.6), decided without IO.
///
/// Hop-by-hop fields (the fixed list, every field named in `Connection`, and `Proxy-*`/`Proxy`,
/// the latter against httpoxy) are removed in both directions before any policy runs. Forwarding
/// headers are believed only from trusted proxies; from anyone else they are replaced.
public enum ProxyHeaders {
    /// What the proxy knows about the downstream side of one request.
    public struct Downstream: Sendable {
        public var peer: IPAddress?
        public var peerIsTrusted: Bool
        /// `http` or `https`, from the listener.
        public var scheme: String
        public var authority: String
        public var requestID: String
        /// The trace context sent upstream; `nil` passes the client's trace headers unchanged.
        public var trace: TraceContext?

        public init(peer: IPAddress?, peerIsTrusted: Bool, scheme: String, authority: String, requestID: String, trace: TraceContext? = nil) {
            self.peer = peer
            self.peerIsTrusted = peerIsTrusted
            self.scheme = scheme
            self.authority = authority
            self.requestID = requestID
            self.trace = trace
        }
    }

    /// Lower-cased names listed in every `Connection` field.
    public static func connectionTokens(_ headers: HTTPHeaders) -> [String] {
        connectionTokens(headers, skippingHopByHop: false)
    }

    /// The fields a `Connection` header names for removal, less those removed as hop-by-hop
    /// anyway (`keep-alive`, and `close`, which names no field): with the usual `Connection`
    /// field this is empty, and no other field has to be compared with its tokens.
    static func connectionListedFields(_ headers: HTTPHeaders) -> [String] {
        connectionTokens(headers, skippingHopByHop: true)
    }

    private static func connectionTokens(_ headers: HTTPHeaders, skippingHopByHop: Bool) -> [String] {
        var tokens: [String] = []
        for (name, value) in headers where name.equalsIgnoringASCIICase("connection") {
            for token in value.split(separator: ",") {
                let t = token.trimmingSpaces()
                if t.isEmpty || (skippingHopByHop && (t.equalsIgnoringASCIICase("close") || isHopByHop(t))) { continue }
                tokens.append(t.lowercased())
            }
        }
        return tokens
    }

    @inline(__always)
    static func isHopByHop<S: StringProtocol>(_ name: S) -> Bool {
        switch name.utf8.count {
        case 2: if name.equalsIgnoringASCIICase("te") { return true }
        case 7: if name.equalsIgnoringASCIICase("upgrade") || name.equalsIgnoringASCIICase("trailer") { return true }
        case 10: if name.equalsIgnoringASCIICase("connection") || name.equalsIgnoringASCIICase("keep-alive") { return true }
        case 17: if name.equalsIgnoringASCIICase("transfer-encoding") { return true }
        default: break
        }
        return name.hasPrefixIgnoringASCIICase("proxy")
    }

    @inline(__always)
    static func isListed(_ name: String, in tokens: [String]) -> Bool {
        tokens.isEmpty ? false : tokens.contains { name.equalsIgnoringASCIICase(lowerCased: $0) }
    }

    /// The headers sent upstream for a request. `Host` comes first, then the client's end-to-end
    /// headers in their order, then `X-Forwarded-For`, `-Proto`, `-Host`, `X-Request-ID` and the
    /// gateway's `traceparent` (see ``TraceContext``).
    public static func upstreamRequestHeaders(
        _ inbound: HTTPHeaders,
        downstream: Downstream,
        hostOverride: String?
    ) -> HTTPHeaders {
        let tokens = connectionListedFields(inbound)
        var out = HTTPHeaders()
        out.reserveCapacity(inbound.count + 4)
        out.add(name: "Host", value: hostOverride ?? downstream.authority)
        var forwardedFor: String? = nil
        var forwardedProto: String? = nil
        var forwardedHost: String? = nil
        for (name, value) in inbound {
            if isHopByHop(name) || isListed(name, in: tokens) { continue }
            switch name.utf8.count {
            case 4 where name.equalsIgnoringASCIICase("host"): continue
            case 6 where name.equalsIgnoringASCIICase("expect"): continue
            case 9 where name.equalsIgnoringASCIICase("forwarded"):
                if downstream.peerIsTrusted { break } else { continue }
            case 9 where name.equalsIgnoringASCIICase("x-real-ip"):
                if downstream.peerIsTrusted { break } else { continue }
            case 10 where name.equalsIgnoringASCIICase("tracestate"):
                if let trace = downstream.trace, !trace.continued { continue }
            case 11 where name.equalsIgnoringASCIICase("traceparent"):
                if downstream.trace != nil { continue }
            case 12 where name.equalsIgnoringASCIICase("x-request-id"): continue
            case 15 where name.equalsIgnoringASCIICase("x-forwarded-for"):
                if downstream.peerIsTrusted { forwardedFor = forwardedFor.map { $0 + ", " + value } ?? value }
                continue
            case 16 where name.equalsIgnoringASCIICase("x-forwarded-host"):
                if downstream.peerIsTrusted && forwardedHost == nil { forwardedHost = value }
                continue
            case 16 where name.equalsIgnoringASCIICase("x-forwarded-port"):
                if downstream.peerIsTrusted { break } else { continue }
            case 17 where name.equalsIgnoringASCIICase("x-forwarded-proto"):
                if downstream.peerIsTrusted && forwardedProto == nil { forwardedProto = value }
                continue
            default: break
            }
            out.add(name: name, value: value)
        }
        let peer = downstream.peer.map { $0.unmapped.description } ?? "unknown"
        out.add(name: "X-Forwarded-For", value: forwardedFor.map { $0 + ", " + peer } ?? peer)
        out.add(name: "X-Forwarded-Proto", value: forwardedProto ?? downstream.scheme)
        out.add(name: "X-Forwarded-Host", value: forwardedHost ?? downstream.authority)
        out.add(name: "X-Request-ID", value: downstream.requestID)
        if let trace = downstream.trace { out.add(name: "traceparent", value: trace.traceparent) }
        return out
    }

    /// The request id to use: a valid incoming `X-Request-ID` from a trusted proxy, else `nil`
    /// (generate one).
    public static func trustedRequestID(_ inbound: HTTPHeaders, peerIsTrusted: Bool) -> String? {
        guard peerIsTrusted, let id = inbound.first(name: "x-request-id"), RequestIDGenerator.isValid(id) else { return nil }
        return id
    }

    /// The headers sent to the client for an upstream response: hop-by-hop fields, `Server` and
    /// `X-Powered-By` removed; the gateway's `Server` (no version) and the request id added.
    public static func clientResponseHeaders(_ upstream: HTTPHeaders, serverHeader: String?, requestID: String) -> HTTPHeaders {
        let tokens = connectionListedFields(upstream)
        var out = HTTPHeaders()
        out.reserveCapacity(upstream.count + 2)
        for (name, value) in upstream {
            if isHopByHop(name) || isListed(name, in: tokens) { continue }
            switch name.utf8.count {
            case 6 where name.equalsIgnoringASCIICase("server"): continue
            case 12 where name.equalsIgnoringASCIICase("x-powered-by"): continue
            case 12 where name.equalsIgnoringASCIICase("x-request-id"): continue
            default: out.add(name: name, value: value)
            }
        }
        if let serverHeader { out.add(name: "Server", value: serverHeader) }
        out.add(name: "X-Request-ID", value: requestID)
        return out
    }
}
