import GatewayCore
import GatewayPolicies
import NIOCore

extension PlanCompiler {
    /// Headers a `forward_claim` may not write: framing, routing and credentials.
    static let unforwardableHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "authorization", "cookie", "x-request-id", "x-forwarded-for",
    ]

    /// Every `jwt NAME { … }` block, with its keys read and checked now, so that a bad key file or
    /// a short secret fails `gateway check` rather than the first request.
    mutating func compileJWTIssuers(_ directives: [Directive], into defaults: inout PolicyDefaults) {
        for d in directives where d.name == "jwt" {
            guard let name = value(d, 0, ValueParser.name), let block = d.block else { continue }
            if let existing = defaults.jwt[name] {
                error(d.arguments[0].location, "jwt", "jwt issuer '\(name)' is already defined at \(existing.location)", hint: "issuer names must be unique")
                continue
            }
            if let issuer = compileJWTIssuer(name: name, block: block, at: d) {
                defaults.jwt[name] = (issuer, d.location)
            } else {
                defaults.invalidJWT.insert(name)
            }
        }
    }

    private mutating func compileJWTIssuer(name: String, block: [Directive], at d: Directive) -> JWTIssuer? {
        let problems = diagnostics.count
        guard let iss = first("issuer", in: block).flatMap({ value($0, 0, ValueParser.headerValue) }) else {
            if first("issuer", in: block) == nil { error(d.location, "jwt", "jwt issuer '\(name)' has no 'issuer'", hint: "add 'issuer https://auth.example.com/;' (the exact iss claim)") }
            return nil
        }
        guard let algorithmsDirective = first("algorithms", in: block) else {
            error(d.location, "jwt", "jwt issuer '\(name)' has no 'algorithms'", hint: "list the algorithms its tokens use, e.g. 'algorithms RS256;'")
            return nil
        }
        let algorithms = algorithmsDirective.arguments.indices.compactMap { value(algorithmsDirective, $0, ValueParser.jwtAlgorithm) }
        var issuer = JWTIssuer(name: name, issuer: iss, algorithms: algorithms)
        issuer.audiences = block.filter { $0.name == "audience" }.flatMap { a in a.arguments.indices.compactMap { value(a, $0, ValueParser.headerValue) } }
        if let skew = first("clock_skew", in: block).flatMap({ value($0, 0, { ValueParser.duration($0, allowZero: true) }) }) {
            issuer.clockSkewSeconds = skew.nanoseconds / 1_000_000_000
        }
        if let flag = first("require_exp", in: block).flatMap({ value($0, 0, { ValueParser.keyword($0, among: ["on", "off"]) }) }) {
            issuer.requireExp = flag == "on"
        }
        issuer.requiredClaims = compileClaimRequirements(block)
        for forward in block where forward.name == "forward_claim" {
            guard let claim = value(forward, 0, ValueParser.headerValue), let header = value(forward, 1, ValueParser.headerName) else { continue }
            if Self.unforwardableHeaders.contains(header.lowercased()) {
                error(forward.arguments[1].location, "forward_claim", "a claim cannot be forwarded as '\(header)'", hint: "choose a header of your own, e.g. X-User-ID")
                continue
            }
            issuer.forwardClaims.append(ClaimForward(claim: claim, header: header))
        }
        issuer.cookie = first("cookie", in: block).flatMap { value($0, 0, ValueParser.name) }
        if let mode = mode(in: block) { issuer.mode = mode }
        issuer.tokenCache = JWTTokenCacheSettings()
        if let d = first("token_cache", in: block), d.arguments.first?.text == "off" {
            issuer.tokenCache = nil
        } else if let d = first("token_cache", in: block), let capacity = value(d, 0, { ValueParser.integer($0, in: 1...1_000_000) }) {
            issuer.tokenCache = JWTTokenCacheSettings(capacity: capacity)
        }
        issuer.staticKeys = JWTKeySet(keys: compileStaticKeys(block, algorithms: algorithms))
        if let url = first("jwks_url", in: block), value(url, 0, ValueParser.jwksURL) != nil {
            let refresh = first("jwks_refresh", in: block).flatMap { value($0, 0) { ValueParser.duration($0) } } ?? .minutes(10)
            let cooldown = first("jwks_cooldown", in: block).flatMap { value($0, 0) { ValueParser.duration($0, allowZero: true) } } ?? .seconds(30)
            issuer.jwks = JWKSKeySource(
                url: url.arguments[0].text, refreshInterval: refresh, cooldownSeconds: cooldown.nanoseconds / 1_000_000_000,
                caFile: compileJWKSCA(block, url: url))
        } else if let ca = first("jwks_ca", in: block), first("jwks_url", in: block) == nil {
            error(ca.location, "jwks_ca", "'jwks_ca' needs a 'jwks_url' in the same issuer", hint: "add 'jwks_url https://…;' or remove 'jwks_ca'")
        }
        let keySources = ["jwks_url", "jwks_file", "key_file", "secret", "secret_file"]
        if !block.contains(where: { keySources.contains($0.name) }) {
            error(d.location, "jwt", "jwt issuer '\(name)' has no keys", hint: "add one of: " + keySources.joined(separator: ", "))
        }
        return diagnostics[problems...].contains(where: \.isError) ? nil : issuer
    }

    /// `jwks_ca PATH`: the CAs an https JWKS endpoint's certificate must lead to (the system
    /// trust store without it). Refused with an http URL, where it would silently mean nothing.
    private mutating func compileJWKSCA(_ block: [Directive], url: Directive) -> String? {
        guard let d = first("jwks_ca", in: block), let path = resolvedPath(d, 0) else { return nil }
        guard url.arguments[0].text.lowercased().hasPrefix("https://") else {
            error(d.location, "jwks_ca", "'jwks_ca' applies to an https:// 'jwks_url' only", hint: "use an https:// URL, or remove 'jwks_ca'")
            return nil
        }
        checkTLSFiles(d) { $0.checkCABundle(path) }
        return path
    }

    func compileClaimRequirements(_ block: [Directive]) -> [ClaimRequirement] {
        block.filter { $0.name == "require_claim" }.compactMap { d in
            guard let name = value(d, 0, ValueParser.headerValue) else { return nil }
            return ClaimRequirement(name: name, values: d.arguments.indices.dropFirst().compactMap { value(d, $0, ValueParser.headerValue) })
        }
    }

    /// Keys from PEM files, secrets (inline, e.g. `${JWT_SECRET}`, or from a file) and a JWKS file.
    private mutating func compileStaticKeys(_ block: [Directive], algorithms: [JWTAlgorithm]) -> [JWTKey] {
        var keys: [JWTKey] = []
        for d in block {
            let kid = d.arguments.count > 1 ? value(d, 1, ValueParser.kid) : nil
            switch d.name {
            case "key_file":
                guard let text = read(d) else { continue }
                do {
                    keys.append(try JWTKey.publicKey(pem: text, kid: kid))
                } catch {
                    self.error(d.arguments[0].location, d.name, "\(d.arguments[0].text): \(error.message)")
                }
            case "jwks_file":
                guard let text = read(d) else { continue }
                do {
                    keys += try JWTKeySet(jwks: Array(text.utf8)).keys
                } catch {
                    self.error(d.arguments[0].location, d.name, "\(d.arguments[0].text): \(error.message)")
                }
            case "secret", "secret_file":
                guard var secret = d.name == "secret" ? d.arguments.first?.text : read(d) else { continue }
                if d.name == "secret_file", secret.hasSuffix("\n") { secret.removeLast() }
                let bytes = Array(secret.utf8)
                let hmac = algorithms.filter { $0.keyKind == .hmac }
                if hmac.isEmpty {
                    error(d.location, d.name, "a secret is configured but no HS algorithm is allowed", hint: "add HS256 (or HS384, HS512) to 'algorithms', or remove the secret")
                    continue
                }
                if let weakest = hmac.first(where: { bytes.count < ($0.minimumSecretBytes ?? 0) }) {
                    error(
                        d.arguments[0].location, d.name, "secret too short for \(weakest): \(bytes.count) bytes",
                        hint: "\(weakest) needs at least \(weakest.minimumSecretBytes ?? 0) random bytes")
                    continue
                }
                keys.append(JWTKey.hmac(secret: bytes, kid: kid))
            default:
                continue
            }
        }
        return keys
    }

    /// The text of the file a directive names, relative to the file the directive is in.
    private mutating func read(_ d: Directive) -> String? {
        guard let name = d.arguments.first?.text, !name.isEmpty else { return nil }
        let path = SourcePath.resolve(name, relativeTo: SourcePath.directory(of: d.location.file))
        do {
            return try readFile(path)
        } catch {
            self.error(d.arguments[0].location, d.name, "cannot read '\(name)': \(error)")
            return nil
        }
    }

    /// `auth jwt NAME...` with the route's `require_scope` and `require_claim`.
    mutating func compileRouteAuth(_ block: [Directive], defaults: PolicyDefaults, used: inout Set<String>) -> (any RequestPolicy)? {
        guard let auth = first("auth", in: block) else {
            for d in block where d.name == "require_scope" || d.name == "require_claim" {
                error(d.location, d.name, "'\(d.name)' needs 'auth jwt NAME;' in the same route")
            }
            return nil
        }
        var issuers: [JWTIssuer] = []
        var complete = true
        for index in auth.arguments.indices.dropFirst() {
            guard let name = value(auth, index, ValueParser.name) else { continue }
            guard let issuer = defaults.jwt[name]?.issuer else {
                complete = false
                if defaults.invalidJWT.contains(name) { continue }
                let defined = (Array(defaults.jwt.keys) + defaults.invalidJWT).sorted()
                let hint = defined.isEmpty ? "no jwt issuer is defined; add 'jwt \(name) { issuer …; algorithms …; … }' at the top level" : Suggestion.hint(for: name, among: defined)
                error(auth.arguments[index].location, "auth", "unknown jwt issuer '\(name)'", hint: hint)
                continue
            }
            used.insert(name)
            issuers.append(issuer)
        }
        if issuers.count > 1 {
            let names = issuers.map(\.issuer)
            if Set(names).count < names.count {
                error(auth.location, "auth", "two issuers of this route have the same 'issuer'", hint: "tokens pick their issuer by iss; each must be distinct")
            }
        }
        if let shadowed = issuers.first(where: { $0.mode == .shadow }), let enforced = issuers.first(where: { $0.mode == .enforce }) {
            error(
                auth.location, "auth", "the issuers of one route must share a mode: '\(shadowed.name)' is in mode shadow, '\(enforced.name)' in mode enforce",
                hint: "set the same 'mode' in each jwt block, or give the shadowed issuer a route of its own")
            return nil
        }
        guard complete, let mode = issuers.first?.mode else { return nil }
        let scopes = block.filter { $0.name == "require_scope" }.flatMap { d in d.arguments.indices.compactMap { value(d, $0, ValueParser.headerValue) } }
        return Self.applying(mode, to: JWTPolicy(issuers: issuers, requiredScopes: scopes, requiredClaims: compileClaimRequirements(block)))
    }
}
