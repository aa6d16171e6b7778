/// The TLS files of an upstream could not be loaded.
public struct UpstreamTLSError: Error, CustomStringConvertible {
    public var upstream: String
    public var underlying: any Error
    public var description: String { "upstream '\(upstream)': TLS: \(underlying)" }
}
