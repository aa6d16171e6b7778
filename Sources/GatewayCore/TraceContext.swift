import NIOHTTP1

/// W3C Trace Context (`traceparent`, `tracestate`) for the request sent upstream.
///
/// A valid incoming `traceparent` keeps its trace id and flags and gets a new parent id (the
/// gateway's own span, so each hop is a span of its own); `tracestate` then passes unchanged.
/// An absent or invalid one starts a new trace (flags `01`: recording is left to the services
/// behind the gateway), and an accompanying `tracestate` is dropped as the specification asks.
public struct TraceContext: Sendable, Equatable {
    /// 32 lower-case hex digits, never all zero.
    public var traceID: String
    /// The gateway's span id: 16 lower-case hex digits, never all zero.
    public var spanID: String
    /// Two hex digits.
    public var flags: String
    /// Whether the trace came from the client (so its `tracestate` is kept).
    public var continued: Bool

    /// The `traceparent` value sent upstream (version 00).
    public var traceparent: String { "00-" + traceID + "-" + spanID + "-" + flags }

    /// The context for one request: `inbound` is the client's `traceparent` (the first one), if
    /// any; the ids come from the loop's generator.
    public static func next(inbound: String?, ids: inout RequestIDGenerator) -> TraceContext {
        let spanID = ids.generateSpanID()
        if let inbound, let (trace, flags) = parse(inbound) {
            return TraceContext(traceID: trace, spanID: spanID, flags: flags, continued: true)
        }
        return TraceContext(traceID: ids.generate(), spanID: spanID, flags: "01", continued: false)
    }

    /// The trace id and flags of a valid `traceparent`: `VERSION-TRACEID-PARENTID-FLAGS` in
    /// lower-case hex; version `ff` and all-zero ids are invalid; a later version may append
    /// fields after a dash.
    public static func parse(_ value: String) -> (traceID: String, flags: String)? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 55, bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D else { return nil }
        func isHex(_ range: Range<Int>) -> Bool {
            bytes[range].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        }
        func isZero(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 == 0x30 } }
        guard isHex(0..<2), isHex(3..<35), isHex(36..<52), isHex(53..<55) else { return nil }
        let version = String(decoding: bytes[0..<2], as: UTF8.self)
        guard version != "ff" else { return nil }
        if version == "00" {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 && bytes[55] != 0x2D {
            return nil
        }
        guard !isZero(3..<35), !isZero(36..<52) else { return nil }
        return (String(decoding: bytes[3..<35], as: UTF8.self), String(decoding: bytes[53..<55], as: UTF8.self))
    }
}
