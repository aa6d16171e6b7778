import GatewayCore
import NIOCore

/// Bearer-token authentication for a route (`auth jwt NAME...`), verified on the event loop with
/// no task hop: a strict JOSE parse, the issuer's algorithm and key rules, signature, claims,
/// then the route's scopes and claims.
///
/// A token verified before on the same event loop (the issuer's ``JWTTokenCache``, when
/// `token_cache` is on) skips the parse, the signature and the issuer's fixed claim checks
/// (`iss`, `aud`, required claims), which it passed under this same plan (every plan starts with
/// empty caches); its times are checked against the clock and its claims against the route's
/// requirements on every request.
///
/// Failures answer 401 with `WWW-Authenticate: Bearer … error="invalid_token"` (the reason goes
/// to the log only), 403 `insufficient_scope`, 400 for malformed credentials, and 503 when the
/// issuer's keys were never obtained. On success the configured claims are forwarded upstream as
/// headers; any client-sent copies of those headers are removed first, whatever the outcome.
public struct JWTPolicy: RequestPolicy {
    public let issuers: [JWTIssuer]
    /// Every scope listed must be in the token's `scope` (space-separated) or `scp` claim.
    public let requiredScopes: [String]
    public let requiredClaims: [ClaimRequirement]
    private let forwardedHeaders: [String]
    private let cookie: String?

    public init(issuers: [JWTIssuer], requiredScopes: [String] = [], requiredClaims: [ClaimRequirement] = []) {
        self.issuers = issuers
        self.requiredScopes = requiredScopes
        self.requiredClaims = requiredClaims
        var headers: [String] = []
        for forward in issuers.flatMap(\.forwardClaims) where !headers.contains(where: { $0.lowercased() == forward.header.lowercased() }) {
            headers.append(forward.header)
        }
        self.forwardedHeaders = headers
        self.cookie = issuers.lazy.compactMap(\.cookie).first
    }

    public var name: String { "jwt" }

    public func evaluate(_ request: inout RequestContext, on eventLoop: any EventLoop) -> PolicyDecision {
        for header in forwardedHeaders { request.upstreamHeaders.remove(name: header) }
        let compact: Substring
        switch BearerCredentials.find(in: request.inbound.headers, cookie: cookie) {
        case .none: return .reject(.missingToken)
        case .invalid(let reason): return .reject(.invalidAuthRequest(reason: reason))
        case .token(let token): compact = token
        }
        let now = request.receivedAt
        if let hit = cachedClaims(for: compact, now: now, loopState: request.loopState) {
            // The times are judged again; issuer, audience and the issuer's required claims
            // cannot have changed since the token was verified under this plan.
            if let failure = issuers[hit.issuer].checkTimes(hit.claims, now: now) { return .reject(.invalidToken(reason: failure.rawValue)) }
            return finish(&request, claims: hit.claims, forwards: issuers[hit.issuer].forwardClaims)
        }
        let token: JWTToken
        do {
            token = try JWTToken(compact: compact)
        } catch {
            return .reject(.invalidToken(reason: error.rawValue))
        }
        guard let issuer = self.issuer(for: token) else { return .reject(.invalidToken(reason: JWTFailure.unknownIssuer.rawValue)) }
        // Read before the keys, so the entry is never tagged newer than the keys that verified it.
        let generation = issuer.jwks?.generation ?? 0
        let claims: [String: JSONValue]
        switch issuer.verify(token, now: now) {
        case .verified(let verified): claims = verified
        case .failed(let failure): return .reject(.invalidToken(reason: failure.rawValue))
        case .keysUnavailable: return .reject(.authKeysUnavailable(issuer: issuer.name))
        }
        if let settings = issuer.tokenCache, let loopState = request.loopState {
            Self.cache(settings, in: loopState).insert(compact, claims: claims, generation: generation)
        }
        return finish(&request, claims: claims, forwards: issuer.forwardClaims)
    }

    /// The route's claims and scopes, then the claims forwarded upstream and the subject for
    /// later policies.
    private func finish(_ request: inout RequestContext, claims: [String: JSONValue], forwards: [ClaimForward]) -> PolicyDecision {
        for requirement in requiredClaims {
            if let failure = requirement.check(claims) { return .reject(.invalidToken(reason: failure.rawValue)) }
        }
        if !requiredScopes.isEmpty {
            let granted = Self.scopes(in: claims)
            if !requiredScopes.allSatisfy({ granted.contains(Substring($0)) }) { return .reject(.insufficientScope(required: requiredScopes.joined(separator: " "))) }
        }
        for forward in forwards {
            if let value = claims[forward.claim]?.headerText { request.upstreamHeaders.add(name: forward.header, value: value) }
        }
        // The verified subject, for later policies (rate limits keyed `jwt:sub`).
        if case .string(let subject)? = claims["sub"] { request.authenticatedSubject = subject }
        return .proceed
    }

    /// A hit in the token cache of one of this route's issuers: the index of the issuer that
    /// verified the token, and the claims it had then.
    private func cachedClaims(
        for token: Substring, now: Int64, loopState: NIOLoopBound<PolicyLoopState>?
    ) -> (issuer: Int, claims: [String: JSONValue])? {
        guard let loopState else { return nil }
        for index in issuers.indices {
            guard let settings = issuers[index].tokenCache else { continue }
            let cache = Self.cache(settings, in: loopState)
            let generation = issuers[index].jwks?.generation ?? 0
            if let claims = cache.lookup(token, generation: generation, now: now, skew: issuers[index].clockSkewSeconds) {
                return (index, claims)
            }
        }
        return nil
    }

    /// The token cache of an issuer on the request's event loop, made on first use.
    public static func cache(_ settings: JWTTokenCacheSettings, in loopState: NIOLoopBound<PolicyLoopState>) -> JWTTokenCache {
        loopState.value.value(for: settings) { JWTTokenCache(capacity: settings.capacity) }
    }

    /// With one issuer, that one; with several, the one whose `iss` the token names (read before
    /// verification only to pick the keys; the chosen issuer then checks `iss` again).
    func issuer(for token: JWTToken) -> JWTIssuer? {
        if issuers.count == 1 { return issuers[0] }
        guard let iss = token.claims["iss"]?.string else { return nil }
        return issuers.first { $0.issuer == iss }
    }

    /// `scope` (RFC 8693 §4.2, space-separated) and `scp` (a string or an array of strings).
    static func scopes(in claims: [String: JSONValue]) -> Set<Substring> {
        var scopes: Set<Substring> = []
        for name in ["scope", "scp"] {
            switch claims[name] {
            case .string(let text)?: scopes.formUnion(text.split(separator: " "))
            case .array(let items)?: scopes.formUnion(items.compactMap(\.string).map { Substring($0) })
            default: break
            }
        }
        return scopes
    }
}
