import Foundation
import GatewayCore
import NIOCore
import Testing

@testable import GatewayServer

/// Access log lines write the configured fields in their order, leave out fields without a value,
/// and with the default list stay what they always were.
@Suite("Access log fields") struct AccessLogFieldsTests {
    static let record = AccessLogRecord(
        requestID: "r-1", client: "203.0.113.7", method: "GET", host: "api.example.com", path: "/a\"b", route: "/api/*", upstream: "app",
        upstreamAddress: "10.0.0.1:80", status: 200, bytesIn: 5, bytesOut: 42, durationNanos: 1_234_567, upstreamNanos: 1_000_000,
        error: nil, reason: nil, policy: nil, traceID: "0af7651916cd43dd8448eb211c80319c", rateLimit: "api=allowed", version: "HTTP/1.1")

    static func line(_ fields: [AccessLogField], _ record: AccessLogRecord = record) -> String {
        var buffer = ByteBuffer()
        record.write(fields, to: &buffer)
        return String(buffer: buffer)
    }

    @Test func theDefaultListWritesEveryFieldInTheUsualOrder() throws {
        let line = Self.line(AccessLogField.defaults)
        let suffix = #""request_id":"r-1","client":"203.0.113.7","method":"GET","host":"api.example.com","path":"/a\"b","protocol":"HTTP/1.1","#
            + #""route":"/api/*","upstream":"app","upstream_addr":"10.0.0.1:80","status":200,"bytes_in":5,"bytes_out":42,"duration_ms":1.234,"#
            + #""upstream_ms":1.000,"trace_id":"0af7651916cd43dd8448eb211c80319c","rate_limit":"api=allowed"}"# + "\n"
        #expect(line.hasPrefix(#"{"time":""#))
        #expect(line.hasSuffix(suffix), "\(line)")
        _ = try JSONSerialization.jsonObject(with: Data(line.utf8))
    }

    @Test func aFieldListPicksAndOrdersTheFields() {
        #expect(Self.line([.status, .requestID, .durationMs]) == #"{"status":200,"request_id":"r-1","duration_ms":1.234}"# + "\n")
    }

    @Test func fieldsWithoutAValueAreLeftOut() {
        var record = Self.record
        record.route = nil
        record.upstreamNanos = nil
        record.error = "not_found"
        #expect(Self.line([.route, .upstreamMs, .error, .status], record) == #"{"error":"not_found","status":200}"# + "\n")
        #expect(Self.line([.route, .reason], record) == "{}\n")
    }
}
