import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time for log lines, `/readyz` and timestamp gauges (durations use the monotonic
/// clock instead).
enum WallClock {
    /// Milliseconds since the Unix epoch.
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000)
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-01-05T10:00:00.123Z`.
    static func write(_ millis: Int64, to buffer: inout ByteBuffer) {
        var seconds = time_t(millis / 1000)
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
        pad(Int32(millis % 1000), 3)
        buffer.writeStaticString("Z")
    }

    /// ``write(_:to:)`` as a string.
    static func rfc3339(_ millis: Int64) -> String {
        var buffer = ByteBuffer()
        write(millis, to: &buffer)
        return String(buffer: buffer)
    }
}
