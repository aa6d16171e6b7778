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

    /// A JWKS URL: `http://host[:port]/path`. https is refused until the gateway has an HTTP
    /// client with TLS; `jwks_file` (refreshed by reload) covers that case.
    static func jwksURL(_ text: String) -> Result<(host: String, port: Int, path: String), ValueError> {
        let hint = "expected http://HOST[:PORT]/PATH, e.g. http://127.0.0.1:9100/.well-known/jwks.json"
        if text.lowercased().hasPrefix("https://") {
            return .failure(ValueError("JWKS over https is not supported yet", hint: "use an http:// URL on a trusted network, or 'jwks_file' with a copy of the document"))
        }
        guard text.lowercased().hasPrefix("http://") else { return .failure(ValueError("invalid JWKS URL '\(text)'", hint: hint)) }
        let rest = text.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = rest[slash...].isEmpty ? "/" : String(rest[slash...])
        guard !authority.contains("@"), path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(ValueError("invalid JWKS URL '\(text)'", hint: hint))
        }
        if case .success(let hostPort) = hostPort(authority) { return .success((hostPort.host, hostPort.port, path)) }
        guard !authority.isEmpty, !authority.contains(":"), case .exact(let host)? = HostPattern(parsing: authority) else {
            return .failure(ValueError("invalid JWKS URL '\(text)'", hint: hint))
        }
        return .success((host, 80, path))
    }

    /// `kid=ID` after a key file or secret.
    static func kid(_ text: String) -> Result<String, ValueError> {
        guard text.hasPrefix("kid="), text.count > 4 else {
            return .failure(ValueError("unknown key parameter '\(text)'", hint: "expected kid=ID"))
        }
        return .success(String(text.dropFirst(4)))
    }
}
