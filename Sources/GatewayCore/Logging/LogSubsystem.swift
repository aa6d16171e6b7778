/// A part of the gateway with a logger of its own, so its level can be set apart from the rest
/// (`log { level upstream debug; }`). The configuration names a subsystem by its short name;
/// log lines carry the full ``label`` in their `logger` field.
public enum LogSubsystem: String, Sendable, Hashable, CaseIterable {
    /// Start, stop, listeners, warnings about the configuration.
    case gateway
    /// Upstream connections: TLS handshakes, outlier ejection.
    case upstream
    /// Certificate and key files of TLS listeners being re-read.
    case tls
    /// Configuration reloads.
    case reload
    /// Rate limits and their Redis stores.
    case ratelimit
    /// JWKS documents fetched in the background.
    case jwks
    /// The admin listener.
    case admin

    /// The swift-log `Logger(label:)` of the subsystem, e.g. `gateway.upstream`.
    public var label: String { self == .gateway ? "gateway" : "gateway." + rawValue }

    public static let names = allCases.map(\.rawValue)

    /// The subsystem a logger label belongs to; labels of other libraries count as `gateway`.
    public init(label: String) {
        self = Self.allCases.first { $0.label == label } ?? .gateway
    }
}
