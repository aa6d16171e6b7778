import GatewayCore
import NIOHTTP1

/// What a client's `Accept-Encoding` allows (RFC 9110 §12.5.3), reduced to the one coding the
/// gateway produces.
///
/// gzip is chosen when its weight (`gzip`/`x-gzip`, else `*`) is above zero and not below an
/// explicit weight for `identity`; `gzip;q=0` and `*;q=0` refuse it; no header means identity.
public struct AcceptEncoding: Sendable, Equatable {
    public var gzipWeight: Double
    /// The weight of `identity` when the client stated one (or `*` did); `nil` when unstated.
    public var identityWeight: Double?

    public init(gzipWeight: Double, identityWeight: Double?) {
        self.gzipWeight = gzipWeight
        self.identityWeight = identityWeight
    }

    /// Parses every `Accept-Encoding` field of `headers`.
    public init(_ headers: HTTPHeaders) {
        var gzip: Double? = nil
        var identity: Double? = nil
        var star: Double? = nil
        for field in headers[canonicalForm: "accept-encoding"] {
            let parts = field.split(separator: ";")
            guard let coding = parts.first?.trimmingSpaces().lowercased(), !coding.isEmpty else { continue }
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingSpaces().lowercased() == "q" else { continue }
                // A malformed weight refuses the coding rather than guessing.
                weight = Double(pair[1].trimmingSpaces()).map { min(max($0, 0), 1) } ?? 0
            }
            switch coding {
            case "gzip", "x-gzip": gzip = max(gzip ?? 0, weight)
            case "identity": identity = weight
            case "*": star = weight
            default: break
            }
        }
        self.gzipWeight = gzip ?? star ?? 0
        self.identityWeight = identity ?? star
    }

    public var prefersGzip: Bool {
        gzipWeight > 0 && gzipWeight >= (identityWeight ?? 0)
    }
}
