import GatewayCore

extension ValueParser {
    /// A route path: `/exact` or the prefix `/api/*` (a `*` only at the end). It must already be
    /// in the normalised form requests are matched in, or it could never match.
    static func pathPattern(_ text: String) -> Result<PathPattern, ValueError> {
        guard text.hasPrefix("/") else {
            return .failure(ValueError("route path '\(text)' must start with '/'", hint: "e.g. '/api/*' or '/health'"))
        }
        let isPrefix = text.hasSuffix("*")
        let path = isPrefix ? String(text.dropLast()) : text
        guard !path.contains("*") else {
            return .failure(ValueError("'*' is only allowed at the end of a route path", hint: "e.g. '/api/*'"))
        }
        switch RequestTargetNormalizer.normalize(path, method: "GET") {
        case .success(let normalized) where normalized.query == nil && normalized.path == path:
            break
        case .success(let normalized) where normalized.query == nil:
            return .failure(
                ValueError("route path '\(text)' is not in normalised form", hint: "requests are matched after normalisation; did you mean '\(normalized.path)\(isPrefix ? "*" : "")'?"))
        case .success:
            return .failure(ValueError("a route path cannot contain a query"))
        case .failure(let error):
            return .failure(ValueError("invalid route path '\(text)': \(error.message)"))
        }
        return .success(isPrefix ? .prefix(path) : .exact(path))
    }

    /// A path prefix for `strip_prefix`: starts with `/`, no `*`.
    static func pathPrefix(_ text: String) -> Result<String, ValueError> {
        guard text.hasPrefix("/"), !text.contains("*"), !text.contains("?") else {
            return .failure(ValueError("invalid path prefix '\(text)'", hint: "expected a path starting with '/', e.g. '/api'"))
        }
        return .success(text)
    }

    static func hostPattern(_ text: String) -> Result<HostPattern, ValueError> {
        guard let pattern = HostPattern(parsing: text) else {
            return .failure(ValueError("invalid host pattern '\(text)'", hint: "expected a host name such as 'api.example.com' or a wildcard such as '*.example.com'"))
        }
        return .success(pattern)
    }

    static let forbiddenMethods: Set<String> = ["TRACE", "CONNECT"]

    /// An HTTP method token (RFC 9110 §9.1), upper-cased. `TRACE` and `CONNECT` are never served.
    static func method(_ text: String) -> Result<String, ValueError> {
        let upper = text.uppercased()
        guard !text.isEmpty, text.utf8.allSatisfy(isTokenByte) else {
            return .failure(ValueError("invalid method '\(text)'", hint: "expected a method token such as GET, POST or DELETE"))
        }
        guard !forbiddenMethods.contains(upper) else {
            return .failure(ValueError("method \(upper) is never served by the gateway"))
        }
        return .success(upper)
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ b: UInt8) -> Bool {
        if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(b)
    }

    /// A three-digit status code from `allowed`.
    static func status(_ text: String, allowed: ClosedRange<Int>) -> Result<Int, ValueError> {
        guard text.count == 3, isDigits(text), let status = Int(text), allowed.contains(status) else {
            return .failure(ValueError("invalid status '\(text)'", hint: "expected a status code in \(allowed.lowerBound)...\(allowed.upperBound)"))
        }
        return .success(status)
    }

    static func status(_ text: String, among allowed: [Int]) -> Result<Int, ValueError> {
        guard text.count == 3, isDigits(text), let status = Int(text), allowed.contains(status) else {
            return .failure(ValueError("invalid status '\(text)'", hint: "expected one of: " + allowed.map(String.init).joined(separator: ", ")))
        }
        return .success(status)
    }

    /// A template with `{…}` placeholders from `allowed`.
    static func template(_ text: String, allowed: [String] = PathTemplate.placeholders) -> Result<PathTemplate, ValueError> {
        let template: PathTemplate
        do {
            template = try PathTemplate(parsing: text)
        } catch .unterminated {
            return .failure(ValueError("unterminated '{' in '\(text)'", hint: "placeholders: " + allowed.map { "{\($0)}" }.joined(separator: " ")))
        } catch {
            guard case .unknownPlaceholder(let name) = error else { return .failure(ValueError("invalid template '\(text)'")) }
            let hint = Suggestion.closest(to: name, among: allowed).map { "did you mean '{\($0)}'?" }
                ?? "expected one of: " + allowed.map { "{\($0)}" }.joined(separator: ", ")
            return .failure(ValueError("unknown placeholder '{\(name)}'", hint: hint))
        }
        for piece in template.pieces {
            let name: String
            switch piece {
            case .literal: continue
            case .path: name = "path"
            case .query: name = "query"
            case .uri: name = "uri"
            case .host: name = "host"
            }
            guard allowed.contains(name) else {
                return .failure(
                    ValueError("placeholder '{\(name)}' is not allowed here", hint: "expected one of: " + allowed.map { "{\($0)}" }.joined(separator: ", ")))
            }
        }
        guard !text.isEmpty else { return .failure(ValueError("empty template")) }
        return .success(template)
    }

    /// A media type for `content_type`: `type/subtype` with optional parameters.
    static func mediaType(_ text: String) -> Result<String, ValueError> {
        let main = text.split(separator: ";", maxSplits: 1)[...].first ?? ""
        let parts = main.trimmingCharacters(" ").split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isTokenByte) }),
            case .success = headerValue(text)
        else {
            return .failure(ValueError("invalid content type '\(text)'", hint: "expected a media type such as 'application/json' or 'text/html; charset=utf-8'"))
        }
        return .success(text)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(_ c: Character) -> Substring {
        var s = self
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return s
    }
}
