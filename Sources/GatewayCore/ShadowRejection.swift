/// A refusal that a policy in `mode shadow` would have made. The request went on as if the
/// policy had passed; this record feeds the access log's `shadow` field, the log and
/// `gateway_policy_shadow_rejections_total`.
public struct ShadowRejection: Sendable, Hashable {
    /// The policy's short name (`jwt`, `cors`, `ip_rules`, `limits`).
    public var policy: String
    /// What the policy would have answered.
    public var error: GatewayError

    public init(policy: String, error: GatewayError) {
        self.policy = policy
        self.error = error
    }

    /// `POLICY=ERROR` or `POLICY=ERROR/REASON`, as in the access log (e.g. `jwt=invalid_token/expired`).
    public var logValue: String {
        guard let reason = error.reason else { return policy + "=" + error.code }
        return policy + "=" + error.code + "/" + reason
    }
}
