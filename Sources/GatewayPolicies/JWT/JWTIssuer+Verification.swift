extension JWTIssuer {
    /// The result of checking one token against this issuer.
    public enum Verification: Sendable {
        case verified([String: JSONValue])
        case failed(JWTFailure)
        /// The issuer's keys come from a JWKS URL that has never answered: the gateway cannot
        /// judge the token (503, not 401).
        case keysUnavailable
    }

    /// Algorithm, key, signature, then claims, in that order: nothing about the claims of a
    /// token with a bad signature is looked at or reported. `now` is in seconds since 1970.
    public func verify(_ token: JWTToken, now: Int64) -> Verification {
        guard let algorithm = JWTAlgorithm(rawValue: token.algorithm), algorithms.contains(algorithm) else {
            return .failed(.algNotAllowed)
        }
        let fetched = jwks?.keys
        let candidates = staticKeys.candidates(for: algorithm, kid: token.kid) + (fetched?.candidates(for: algorithm, kid: token.kid) ?? [])
        if candidates.isEmpty {
            guard let jwks else { return .failed(.noMatchingKey) }
            guard let fetched else { return .keysUnavailable }
            if let kid = token.kid, !fetched.contains(kid: kid) {
                // Perhaps the issuer rotated its keys: fetch again soon (rate-limited).
                jwks.requestRefresh(now: now)
                return .failed(.unknownKid)
            }
            return .failed(.noMatchingKey)
        }
        guard candidates.contains(where: { $0.verify(token.signature, over: token.signingInput, algorithm: algorithm) }) else {
            return .failed(.badSignature)
        }
        if let failure = checkClaims(token.claims, now: now) { return .failed(failure) }
        return .verified(token.claims)
    }

    /// The registered claims (RFC 7519 §4.1) and the issuer's required claims.
    public func checkClaims(_ claims: [String: JSONValue], now: Int64) -> JWTFailure? {
        checkTimes(claims, now: now) ?? checkIdentity(claims)
    }

    /// `exp`, `nbf` and `iat` against the clock: what can change for a token already verified.
    public func checkTimes(_ claims: [String: JSONValue], now: Int64) -> JWTFailure? {
        let now = Double(now)
        let skew = Double(clockSkewSeconds)
        if let exp = claims["exp"] {
            guard let expiry = exp.number else { return .malformed }
            if now >= expiry + skew { return .expired }
        } else if requireExp {
            return .missingExp
        }
        if let nbf = claims["nbf"] {
            guard let notBefore = nbf.number else { return .malformed }
            if now + skew < notBefore { return .notYetValid }
        }
        if let iat = claims["iat"] {
            guard let issuedAt = iat.number else { return .malformed }
            if issuedAt > now + skew { return .issuedInFuture }
        }
        return nil
    }

    /// `iss`, `aud` and the issuer's required claims: fixed for a token under one configuration.
    func checkIdentity(_ claims: [String: JSONValue]) -> JWTFailure? {
        guard claims["iss"]?.string == issuer else { return .wrongIssuer }
        if !audiences.isEmpty {
            let matches: Bool
            switch claims["aud"] {
            case .string(let single)?: matches = audiences.contains(single)
            case .array(let items)?: matches = items.contains { $0.string.map(audiences.contains) ?? false }
            default: matches = false
            }
            guard matches else { return .wrongAudience }
        }
        for requirement in requiredClaims {
            if let failure = requirement.check(claims) { return failure }
        }
        return nil
    }
}
