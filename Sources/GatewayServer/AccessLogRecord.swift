import GatewayCore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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

    func write(to buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"time":""#)
        Self.writeTimestamp(to: &buffer)
        buffer.writeStaticString(#"","request_id":""#)
        buffer.writeJSONEscaped(requestID)
        buffer.writeStaticString(#"","client":""#)
        buffer.writeJSONEscaped(client)
        buffer.writeStaticString(#"","method":""#)
        buffer.writeJSONEscaped(method)
        buffer.writeStaticString(#"","host":""#)
        buffer.writeJSONEscaped(host)
        buffer.writeStaticString(#"","path":""#)
        buffer.writeJSONEscaped(path)
        buffer.writeStaticString(#"","protocol":""#)
        buffer.writeString(version)
        buffer.writeStaticString("\"")
        Self.writeOptional(",\"route\":", route, to: &buffer)
        Self.writeOptional(",\"upstream\":", upstream, to: &buffer)
        Self.writeOptional(",\"upstream_addr\":", upstreamAddress, to: &buffer)
        buffer.writeStaticString(#","status":"#)
        buffer.writeString(String(status))
        buffer.writeStaticString(#","bytes_in":"#)
        buffer.writeString(String(bytesIn))
        buffer.writeStaticString(#","bytes_out":"#)
        buffer.writeString(String(bytesOut))
        buffer.writeStaticString(#","duration_ms":"#)
        Self.writeMillis(durationNanos, to: &buffer)
        if let upstreamNanos {
            buffer.writeStaticString(#","upstream_ms":"#)
            Self.writeMillis(upstreamNanos, to: &buffer)
        }
        Self.writeOptional(",\"error\":", error, to: &buffer)
        Self.writeOptional(",\"reason\":", reason, to: &buffer)
        Self.writeOptional(",\"policy\":", policy, to: &buffer)
        Self.writeOptional(",\"trace_id\":", traceID, to: &buffer)
        Self.writeOptional(",\"rate_limit\":", rateLimit, to: &buffer)
        Self.writeOptional(",\"shadow\":", shadow, to: &buffer)
        buffer.writeStaticString("}\n")
    }

    private static func writeOptional(_ key: StaticString, _ value: String?, to buffer: inout ByteBuffer) {
        guard let value else { return }
        buffer.writeStaticString(key)
        buffer.writeStaticString("\"")
        buffer.writeJSONEscaped(value)
        buffer.writeStaticString("\"")
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

    /// RFC 3339 UTC with milliseconds.
    private static func writeTimestamp(to buffer: inout ByteBuffer) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) {
            let s = String(value)
            for _ in s.count..<width { buffer.writeStaticString("0") }
            buffer.writeString(s)
        }
        pad(parts.tm_year + 1900, 4)
        buffer.writeStaticString("-")
        pad(parts.tm_mon + 1, 2)
        buffer.writeStaticString("-")
        pad(parts.tm_mday, 2)
        buffer.writeStaticString("T")
        pad(parts.tm_hour, 2)
        buffer.writeStaticString(":")
        pad(parts.tm_min, 2)
        buffer.writeStaticString(":")
        pad(parts.tm_sec, 2)
        buffer.writeStaticString(".")
        pad(Int32(ts.tv_nsec / 1_000_000), 3)
        buffer.writeStaticString("Z")
    }
}
