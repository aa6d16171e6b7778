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
