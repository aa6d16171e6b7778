import GatewayCore
import NIOSSL

/// The contexts of one TLS listener, one per certificate, and the choice among them by SNI:
/// an exact name first, then a wildcard, then the first certificate (the default).
///
/// Immutable; the certificate watcher replaces the whole set when files change.
struct ServerCertificates: Sendable {
    struct Entry: Sendable {
        var names: [HostPattern]
        var context: NIOSSLContext
    }

    let entries: [Entry]
    /// The bytes of every file the set was built from, to notice a change.
    let sources: [[UInt8]]

    /// Reads and parses every file of `tls` and builds the contexts. Blocking.
    static func load(_ tls: ListenerTLS, http2: Bool) throws -> ServerCertificates {
        let clientCA = try tls.clientCAFile.map { try TLSContextFactory.loadCertificates($0) }
        var entries: [Entry] = []
        for spec in tls.certificates {
            let loaded = try TLSContextFactory.loadCertificate(certificateFile: spec.certificateFile, keyFile: spec.keyFile)
            let context = try TLSContextFactory.serverContext(loaded, spec: spec, clientCA: clientCA, http2: http2)
            let names = spec.names.isEmpty ? TLSContextFactory.dnsNames(of: loaded.chain[0]) : spec.names
            entries.append(Entry(names: names, context: context))
        }
        guard !entries.isEmpty else { throw TLSFileError(path: "-", reason: "a TLS listener needs a certificate") }
        return ServerCertificates(entries: entries, sources: try Self.sources(of: tls))
    }

    /// The current bytes of every file `tls` names. Blocking.
    static func sources(of tls: ListenerTLS) throws -> [[UInt8]] {
        var paths = tls.certificates.flatMap { [$0.certificateFile, $0.keyFile] }
        if let ca = tls.clientCAFile { paths.append(ca) }
        return try paths.map(LocalFile.readBytes)
    }

    /// The context for a client's SNI name (`nil` when it sent none).
    func context(for serverName: String?) -> NIOSSLContext {
        guard var name = serverName?.lowercased() else { return entries[0].context }
        if name.hasSuffix(".") { name.removeLast() }
        if let exact = entries.first(where: { $0.names.contains(.exact(name)) }) { return exact.context }
        if let wildcard = entries.first(where: { entry in
            entry.names.contains { pattern in
                if case .wildcard = pattern { return pattern.matches(name) }
                return false
            }
        }) {
            return wildcard.context
        }
        return entries[0].context
    }
}
