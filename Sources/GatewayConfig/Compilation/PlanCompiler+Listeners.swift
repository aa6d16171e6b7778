import GatewayCore

extension PlanCompiler {
    static let tlsOnly = ["certificate", "client_ca", "hsts"]

    mutating func compileListeners(_ directives: [Directive]) -> [ListenerSpec] {
        var listeners: [ListenerSpec] = []
        var sawListen = false
        for d in directives where d.name == "listen" {
            sawListen = true
            guard let (host, port) = value(d, 0, ValueParser.listenAddress) else { continue }
            let listener = compileListener(d, host: host, port: port)
            if let other = listeners.first(where: { $0.overlaps(listener) }) {
                error(
                    d.arguments[0].location, "listen",
                    "listener \(listener.displayAddress) overlaps the listener \(other.displayAddress) at \(other.location.map(String.init(describing:)) ?? "?")",
                    hint: "two listeners cannot bind one port on overlapping addresses")
                continue
            }
            listeners.append(listener)
        }
        if !sawListen {
            error(
                SourceLocation(file: mainFile, line: 1, column: 1), nil, "no 'listen' directive: the gateway would accept no connections",
                hint: "add one at the top level, e.g. 'listen 8080;'")
        }
        return listeners
    }

    private mutating func compileListener(_ d: Directive, host: String, port: Int) -> ListenerSpec {
        let block = d.block ?? []
        let isTLS = d.arguments.count > 1 && d.arguments[1].text == "tls"
        var tls: ListenerTLS? = nil
        if isTLS {
            tls = compileListenerTLS(d, block: block)
        } else {
            for extra in block where Self.tlsOnly.contains(extra.name) {
                error(extra.location, extra.name, "'\(extra.name)' applies only to TLS listeners", hint: "write 'listen \(d.arguments[0].text) tls { … }'")
            }
        }
        var redirect: HTTPSRedirect? = nil
        if let r = first("redirect_https", in: block) {
            if isTLS {
                error(r.location, "redirect_https", "a TLS listener cannot redirect to https", hint: "put 'redirect_https' on the cleartext listener")
            } else if r.arguments.isEmpty {
                redirect = HTTPSRedirect()
            } else if let to = value(r, 0, { ValueParser.port(Substring($0), allowZero: false) }) {
                redirect = HTTPSRedirect(port: to)
            }
        }
        let http2 = first("http2", in: block).flatMap { $0.arguments.first?.text }.map { $0 == "on" }
        return ListenerSpec(host: host, port: port, tls: tls, http2: http2, redirectHTTPS: redirect, location: d.location)
    }

    private mutating func compileListenerTLS(_ d: Directive, block: [Directive]) -> ListenerTLS {
        var certificates: [TLSCertificateSpec] = []
        for c in block where c.name == "certificate" {
            guard c.arguments.count >= 2 else { continue }
            let names = c.arguments.indices.dropFirst(2).compactMap { value(c, $0, ValueParser.hostPattern) }
            let files = (resolvedPath(c, 0), resolvedPath(c, 1))
            guard let certificate = files.0, let key = files.1 else { continue }
            checkTLSFiles(c) { $0.checkCertificate(certificate, key: key) }
            certificates.append(TLSCertificateSpec(certificateFile: certificate, keyFile: key, names: names, location: c.location))
        }
        if !block.contains(where: { $0.name == "certificate" }) {
            error(d.location, "listen", "TLS listener \(d.arguments[0].text) has no certificate", hint: "add 'certificate CERT_FILE KEY_FILE;' in its block")
        }
        var tls = ListenerTLS(certificates: certificates)
        if let c = first("client_ca", in: block), let path = resolvedPath(c, 0) {
            checkTLSFiles(c) { $0.checkCABundle(path) }
            tls.clientCAFile = path
        }
        if let h = first("hsts", in: block), let text = h.arguments.first?.text {
            if text == "off" {
                tls.hsts = nil
            } else if let maxAge = value(h, 0, { ValueParser.duration($0) }) {
                let words = Set(h.arguments.dropFirst().map(\.text))
                tls.hsts = HSTSPolicy(
                    maxAgeSeconds: Int(maxAge.nanoseconds / 1_000_000_000),
                    includeSubdomains: words.contains("include_subdomains"),
                    preload: words.contains("preload"))
            }
        }
        return tls
    }

    /// Argument `index` as a path relative to the directory of the file it is written in.
    func resolvedPath(_ d: Directive, _ index: Int) -> String? {
        guard let path = value(d, index, ValueParser.filePath) else { return nil }
        return SourcePath.resolve(path, relativeTo: SourcePath.directory(of: d.location.file))
    }

    /// Reports what the TLS file checker finds, at the argument naming the file.
    mutating func checkTLSFiles(_ d: Directive, _ check: (any TLSFileChecker) -> [TLSFileProblem]) {
        guard let checker = tlsFileChecker else { return }
        for problem in check(checker) {
            let index = problem.subject == .key ? 1 : 0
            let location = index < d.arguments.count ? d.arguments[index].location : d.location
            if problem.isWarning {
                warn(location, d.name, problem.message, hint: problem.hint)
            } else {
                error(location, d.name, problem.message, hint: problem.hint)
            }
        }
    }
}
