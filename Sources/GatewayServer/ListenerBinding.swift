import GatewayCore

/// What a connection needs to know about the listener that accepted it: its spec, its current
/// certificates (TLS), and the header values rendered once for all its responses.
struct ListenerBinding: Sendable {
    /// Unique per bound socket of this process: the key its connections are counted by.
    let id: Int
    let spec: ListenerSpec
    let certificates: TLSListenerStore?
    /// `Strict-Transport-Security` for every response; only on TLS listeners.
    let hstsHeader: String?

    init(id: Int, spec: ListenerSpec, certificates: TLSListenerStore?) {
        self.id = id
        self.spec = spec
        self.certificates = certificates
        self.hstsHeader = spec.tls?.hsts?.headerValue
    }

    var scheme: String { spec.scheme }
}
