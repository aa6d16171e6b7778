import GatewayCore

extension ValueParser {
    /// A file path: not empty, no NUL. Whether the file is there is checked when it is read.
    static func filePath(_ text: String) -> Result<String, ValueError> {
        guard !text.isEmpty, !text.contains("\0") else {
            return .failure(ValueError("invalid file path '\(text)'", hint: "expected a path, relative to this file's directory or absolute"))
        }
        return .success(text)
    }

    /// A server name for SNI and certificate verification: a DNS name or an IP address.
    static func hostName(_ text: String) -> Result<String, ValueError> {
        guard case .exact(let name)? = HostPattern(parsing: text) else {
            return .failure(ValueError("invalid host name '\(text)'", hint: "expected a DNS name such as api.internal, without a wildcard"))
        }
        return .success(name)
    }
}
