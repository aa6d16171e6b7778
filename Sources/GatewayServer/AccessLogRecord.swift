import GatewayCore
import NIOCore

/// The fields of one access log line (a JSON object per request).
///
/// Query strings are not logged (they often carry tokens); nor are any header values, so
/// `Authorization`, `Cookie` and `Set-Cookie` never reach a log line.
struct AccessLogRecord {
    var requestID: String
    var client: String
    var method: String
    var host: String
    var path: String
    var route: String?
    var upstream: String?
    var upstreamAddress: String?
    var status: Int
    var bytesIn: Int
    var bytesOut: Int
    var durationNanos: Int64
    var upstreamNanos: Int64?
    var error: String?
    /// The stable reason a policy gave for refusing the request (e.g. `expired`).
    var reason: String? = nil
    /// The request policy that refused the request (e.g. `jwt`).
    var policy: String? = nil
    /// The W3C trace id sent upstream in `traceparent`.
    var traceID: String? = nil
    /// What the route's rate limits decided, `NAME=REASON` separated by spaces.
    var rateLimit: String?
    /// What policies in `mode shadow` would have refused, `POLICY=ERROR[/REASON]` separated by
    /// spaces (e.g. `jwt=invalid_token/expired`).
    var shadow: String? = nil
    var version: String

    /// Writes the line with `fields` in their order; a field without a value for this request
    /// (no route, no upstream, no error…) is left out, as are fields not listed.
    func write(_ fields: [AccessLogField], to buffer: inout ByteBuffer) {
        buffer.writeStaticString("{")
        var first = true
        func key(_ name: StaticString) {
            if !first { buffer.writeStaticString(",") }
            first = false
            buffer.writeStaticString(name)
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            buffer.writeStaticString("\"")
            buffer.writeJSONEscaped(value)
            buffer.writeStaticString("\"")
        }
        for field in fields {
            switch field {
            case .time:
                key(#""time":""#)
                WallClock.write(WallClock.now(), to: &buffer)
                buffer.writeStaticString("\"")
            case .requestID: string(#""request_id":"#, requestID)
            case .client: string(#""client":"#, client)
            case .method: string(#""method":"#, method)
            case .host: string(#""host":"#, host)
            case .path: string(#""path":"#, path)
            case .protocol: string(#""protocol":"#, version)
            case .route: string(#""route":"#, route)
            case .upstream: string(#""upstream":"#, upstream)
            case .upstreamAddress: string(#""upstream_addr":"#, upstreamAddress)
            case .status:
                key(#""status":"#)
                buffer.writeString(String(status))
            case .bytesIn:
                key(#""bytes_in":"#)
                buffer.writeString(String(bytesIn))
            case .bytesOut:
                key(#""bytes_out":"#)
                buffer.writeString(String(bytesOut))
            case .durationMs:
                key(#""duration_ms":"#)
                Self.writeMillis(durationNanos, to: &buffer)
            case .upstreamMs:
                guard let upstreamNanos else { continue }
                key(#""upstream_ms":"#)
                Self.writeMillis(upstreamNanos, to: &buffer)
            case .error: string(#""error":"#, error)
            case .reason: string(#""reason":"#, reason)
            case .policy: string(#""policy":"#, policy)
            case .traceID: string(#""trace_id":"#, traceID)
            case .rateLimit: string(#""rate_limit":"#, rateLimit)
            case .shadow: string(#""shadow":"#, shadow)
            }
        }
        buffer.writeStaticString("}\n")
    }

    /// Milliseconds with microsecond precision, e.g. `0.412`.
    private static func writeMillis(_ nanos: Int64, to buffer: inout ByteBuffer) {
        let micros = max(0, nanos / 1000)
        buffer.writeString(String(micros / 1000))
        buffer.writeStaticString(".")
        let fraction = String(micros % 1000)
        for _ in fraction.count..<3 { buffer.writeStaticString("0") }
        buffer.writeString(fraction)
    }
}
