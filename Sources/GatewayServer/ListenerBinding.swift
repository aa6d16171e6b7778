import GatewayCore

/// What a connection needs to know about the listener that accepted it: its spec, its current
/// certificates (TLS), and the header values rendered once for all its responses.
struct ListenerBinding: Sendable {
    let spec: ListenerSpec
    let certificates: TLSListenerStore?
    /// `Strict-Transport-Security` for every response; only on TLS listeners.
    let hstsHeader: String?

    init(spec: ListenerSpec, certificates: TLSListenerStore?) {
        self.spec = spec
        self.certificates = certificates
        self.hstsHeader = spec.tls?.hsts?.headerValue
    }

    var scheme: String { spec.scheme }
}
