import GatewayCore
import NIOSSL

/// Builds the NIOSSL contexts of listeners and upstreams from their specs, reading the files.
///
/// Blocking (file reads): call it off the event loops, at start, on reload and from the
/// certificate watcher.
enum TLSContextFactory {
    /// The Mozilla "intermediate" TLS 1.2 suites: ECDHE key exchange, AEAD ciphers only. TLS 1.3
    /// suites are all AEAD and fixed by BoringSSL.
    static let intermediateCipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// The Mozilla "intermediate" groups.
    static let intermediateCurves: [NIOTLSCurve] = [.x25519, .secp256r1, .secp384r1]

    /// TLS 1.2 and 1.3 with the intermediate suites and curves.
    static func hardened(_ configuration: TLSConfiguration) -> TLSConfiguration {
        var configuration = configuration
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.cipherSuites = intermediateCipherSuites
        configuration.curves = intermediateCurves
        return configuration
    }

    /// A parsed certificate chain and key, the files' bytes kept to notice changes.
    struct LoadedCertificate {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    static func loadCertificate(certificateFile: String, keyFile: String) throws -> LoadedCertificate {
        let chain = try loadCertificates(certificateFile)
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: try LocalFile.readBytes(keyFile), format: .pem)
        } catch let error as FileReadError {
            throw TLSFileError(path: keyFile, reason: error.description)
        } catch {
            throw TLSFileError(path: keyFile, reason: "not a PEM private key (\(error))")
        }
        return LoadedCertificate(chain: chain, key: key)
    }

    static func loadCertificates(_ path: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(try LocalFile.readBytes(path))
        } catch let error as FileReadError {
            throw TLSFileError(path: path, reason: error.description)
        } catch {
            throw TLSFileError(path: path, reason: "not a PEM certificate (\(error))")
        }
        guard !certificates.isEmpty else { throw TLSFileError(path: path, reason: "holds no PEM certificate") }
        return certificates
    }

    /// The server context of one certificate of a listener. Fails when the key does not belong to
    /// the certificate.
    static func serverContext(_ certificate: LoadedCertificate, spec: TLSCertificateSpec, clientCA: [NIOSSLCertificate]?, http2: Bool) throws -> NIOSSLContext {
        var configuration = hardened(
            .makeServerConfiguration(certificateChain: certificate.chain.map { .certificate($0) }, privateKey: .privateKey(certificate.key))
        )
        configuration.applicationProtocols = http2 ? ["h2", "http/1.1"] : ["http/1.1"]
        if let clientCA {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(clientCA)
            configuration.sendCANameList = true
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFileError(path: spec.keyFile, reason: "does not fit the certificate \(spec.certificateFile) (\(error))")
        }
    }

    /// The client context for the servers of one upstream group.
    static func upstreamContext(_ tls: UpstreamTLS) throws -> NIOSSLContext {
        var configuration = hardened(.makeClientConfiguration())
        configuration.applicationProtocols = ["http/1.1"]
        configuration.certificateVerification = tls.verify ? .fullVerification : .none
        if let caFile = tls.caFile {
            configuration.trustRoots = .certificates(try loadCertificates(caFile))
        }
        if let certificateFile = tls.clientCertificateFile, let keyFile = tls.clientKeyFile {
            let loaded = try loadCertificate(certificateFile: certificateFile, keyFile: keyFile)
            configuration.certificateChain = loaded.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(loaded.key)
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The DNS names of a certificate's subjectAltName extension, as host patterns.
    static func dnsNames(of certificate: NIOSSLCertificate) -> [HostPattern] {
        certificate._subjectAlternativeNames().compactMap { name in
            guard name.nameType == .dnsName else { return nil }
            return HostPattern(parsing: String(decoding: Array(name.contents), as: UTF8.self))
        }
    }
}
