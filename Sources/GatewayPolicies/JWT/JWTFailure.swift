/// Why a token was refused. The raw value is the stable reason code logged (and later counted);
/// the client only ever learns `invalid_token`.
public enum JWTFailure: String, Error, Sendable, Hashable {
    case malformed
    case algNone = "alg_none"
    case algNotAllowed = "alg_not_allowed"
    case critUnsupported = "crit_unsupported"
    case missingSignature = "missing_signature"
    case unknownIssuer = "unknown_issuer"
    case unknownKid = "unknown_kid"
    case noMatchingKey = "no_matching_key"
    case badSignature = "bad_signature"
    case missingExp = "missing_exp"
    case expired
    case notYetValid = "not_yet_valid"
    case issuedInFuture = "issued_in_future"
    case wrongIssuer = "wrong_issuer"
    case wrongAudience = "wrong_audience"
    case missingClaim = "missing_claim"
    case claimMismatch = "claim_mismatch"
}
