/// What the gateway writes about configured URLs in logs, `/config` and `gateway check --dump`:
/// never a query string, where tokens and API keys tend to live (`?api_key=…`). Userinfo is
/// refused when the configuration is checked, and header values are never logged at all.
public enum LogRedaction {
    /// `url` with a query replaced by `?(redacted)`.
    public static func url(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        return String(url[..<question]) + "?(redacted)"
    }
}

extension LogRedaction {
    /// What a redacted value is written as.
    public static let placeholder = "(redacted)"

    /// Whether a log metadata key names a secret: credentials headers (`authorization`,
    /// `proxy-authorization`, `cookie`, `set-cookie`) and any key containing `password`, `passwd`,
    /// `token`, `secret`, `api_key`/`apikey`/`api-key` or `credential`, in any case.
    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        if ["authorization", "proxy-authorization", "proxy_authorization", "cookie", "set-cookie", "set_cookie"].contains(lowered) {
            return true
        }
        return ["password", "passwd", "token", "secret", "api_key", "apikey", "api-key", "credential"].contains { lowered.contains($0) }
    }

    /// Whether a value carries a credential whatever its key: `Bearer …` and `Basic …`.
    public static func isSecretValue(_ value: String) -> Bool {
        let head = value.prefix(7).lowercased()
        return head.hasPrefix("bearer ") || head.hasPrefix("basic ")
    }
}
