/// The TLS handshake with an upstream server failed: most often its certificate did not verify
/// against the configured CA or name.
public struct UpstreamTLSHandshakeError: Error, CustomStringConvertible {
    public var server: String
    public var underlying: any Error
    public var description: String { "TLS handshake with \(server) failed: \(underlying)" }
}
