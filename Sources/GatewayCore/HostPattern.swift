/// A host a route answers: an exact name or a single-label wildcard (`*.example.com` matches
/// `api.example.com` but neither `example.com` nor `a.b.example.com`, as TLS wildcards do).
public enum HostPattern: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    /// The suffix including its leading dot, e.g. `.example.com`.
    case wildcard(suffix: String)

    /// Parses a configured host (case-insensitive); `nil` if it is not a valid pattern.
    public init?(parsing text: String) {
        let lower = text.lowercased()
        if lower.hasPrefix("*.") {
            let suffix = String(lower.dropFirst())
            guard suffix.count > 1, HostPattern.isValidHostName(suffix.dropFirst()) else { return nil }
            self = .wildcard(suffix: suffix)
        } else if lower.hasPrefix("[") {
            // Canonical, as RequestValidator.normalizedHost writes the Host, or it could never match.
            guard lower.hasSuffix("]"), let address = IPAddress(lower.dropFirst().dropLast()), case .v6 = address else {
                return nil
            }
            self = .exact("[\(address)]")
        } else {
            guard HostPattern.isValidHostName(Substring(lower)) else { return nil }
            self = .exact(lower)
        }
    }

    public func matches(_ host: String) -> Bool {
        switch self {
        case .exact(let name): return host == name
        case .wildcard(let suffix):
            guard host.utf8.count > suffix.utf8.count, host.hasSuffix(suffix) else { return false }
            return !host.dropLast(suffix.utf8.count).contains(".")
        }
    }

    public var description: String {
        switch self {
        case .exact(let name): name
        case .wildcard(let suffix): "*" + suffix
        }
    }

    /// Letters, digits, `-`, `.`, or an IP literal (`[…]` for IPv6); no empty labels.
    static func isValidHostName(_ name: Substring) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        if name.hasPrefix("["), name.hasSuffix("]") { return IPAddress(name.dropFirst().dropLast()) != nil }
        // One pass over the bytes: labels of 1 to 63 characters between the dots.
        var label = 0
        for b in name.utf8 {
            if b == UInt8(ascii: ".") {
                guard label > 0 else { return false }
                label = 0
                continue
            }
            guard (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F else { return false }
            label += 1
            guard label <= 63 else { return false }
        }
        return label > 0
    }
}

/// How a route matches the normalised request path.
public enum PathPattern: Sendable, Hashable, CustomStringConvertible {
    /// The whole path equals this string.
    case exact(String)
    /// The path starts with this string (configured as `/api/*`).
    case prefix(String)

    public func matches(_ path: Substring) -> Bool {
        switch self {
        case .exact(let p): path == p
        case .prefix(let p): path.hasPrefix(p)
        }
    }

    public var description: String {
        switch self {
        case .exact(let p): p
        case .prefix(let p): p + "*"
        }
    }
}
