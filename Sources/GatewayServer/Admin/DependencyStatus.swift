/// One thing the gateway depends on, as `/readyz` reports it.
///
/// `required` says whether the gateway cannot work around its loss: a Redis store one of whose
/// limits says `on_store_error closed` (every request of those routes would be answered 503), a
/// JWKS URL of an issuer with no other keys (its routes could only answer 503). Such a dependency
/// makes the gateway not ready (503) while it is down (Redis) or has never given keys (JWKS,
/// ``blocksReadiness``). Every other failure leaves the gateway ready but `degraded`: a Redis
/// store whose limits fail `open` or to `local` buckets, a JWKS URL whose refresh fails while the
/// last good keys stay in use (`stale`), a JWKS URL of an issuer that has other keys.
struct DependencyStatus: Sendable, Equatable {
    enum Kind: String, Sendable {
        case redis
        case jwks
    }

    var kind: Kind
    /// The Redis URL or the JWKS URL (query redacted).
    var name: String
    /// Redis: `up` or `down`. JWKS: `ok` (last fetch good), `stale` (refresh failing, keys in
    /// use) or `never` (no keys ever obtained).
    var state: String
    /// Whether this state is a failure.
    var failing: Bool
    var required: Bool
    /// Whether this state makes the gateway not ready.
    var blocksReadiness: Bool
    /// `"key":value` JSON members particular to the kind, already encoded.
    var details: [String]

    /// The JSON object `/readyz` lists.
    var json: String {
        let members = [#""type":"\#(kind.rawValue)""#, #""name":\#(AdminResponse.quoted(name))"#, #""state":"\#(state)""#, #""required":\#(required)"#]
        return "{" + (members + details).joined(separator: ",") + "}"
    }
}
