import GatewayCore
import GatewayPolicies

extension ValueParser {
    static func jwtAlgorithm(_ text: String) -> Result<JWTAlgorithm, ValueError> {
        if text.lowercased() == "none" {
            return .failure(ValueError("algorithm 'none' is never accepted", hint: "tokens must be signed; expected one of: " + JWTAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        guard let algorithm = JWTAlgorithm(rawValue: text) else {
            return .failure(ValueError("unknown algorithm '\(text)'", hint: Suggestion.hint(for: text, among: JWTAlgorithm.allCases.map(\.rawValue))))
        }
        return .success(algorithm)
    }

    /// A JWKS URL: `http://` or `https://`, then `host[:port]/path` (a DNS name, an IPv4
    /// address or `[IPv6]`).
    static func jwksURL(_ text: String) -> Result<DocumentURL, ValueError> {
        let hint = "expected https://HOST[:PORT]/PATH (or http://), e.g. https://auth.example.com/.well-known/jwks.json"
        guard let url = DocumentURL(text) else { return .failure(ValueError("invalid JWKS URL '\(text)'", hint: hint)) }
        let host = url.host.contains(":") ? "[\(url.host)]" : url.host
        guard case .success = hostPort("\(host):\(url.port)") else { return .failure(ValueError("invalid JWKS URL '\(text)'", hint: hint)) }
        return .success(url)
    }

    /// `kid=ID` after a key file or secret.
    static func kid(_ text: String) -> Result<String, ValueError> {
        guard text.hasPrefix("kid="), text.count > 4 else {
            return .failure(ValueError("unknown key parameter '\(text)'", hint: "expected kid=ID"))
        }
        return .success(String(text.dropFirst(4)))
    }
}
