import Foundation
import GatewayCore
import NIOCore
import NIOHTTP1
import Testing

struct GatewayResponseTests {
    /// The body as `(code, message, request_id)`, failing the test if it is not the documented JSON.
    private func decode(_ response: GatewayResponse, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> (code: String, message: String, requestID: String)
    {
        let body = try #require(response.body, sourceLocation: sourceLocation)
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        let root = try #require(object as? [String: Any], sourceLocation: sourceLocation)
        #expect(root.count == 1, sourceLocation: sourceLocation)
        let error = try #require(root["error"] as? [String: Any], sourceLocation: sourceLocation)
        #expect(error.count == 3, sourceLocation: sourceLocation)
        return (
            try #require(error["code"] as? String, sourceLocation: sourceLocation),
            try #require(error["message"] as? String, sourceLocation: sourceLocation),
            try #require(error["request_id"] as? String, sourceLocation: sourceLocation)
        )
    }

    @Test(arguments: [
        (GatewayError.badRequest("missing Host header"), HTTPResponseStatus.badRequest, "bad_request", "missing Host header"),
        (.noRoute, .notFound, "route_not_found", "no route matches this request"),
        (.methodNotAllowed(allowed: ["GET"]), .methodNotAllowed, "method_not_allowed", "method not allowed on this route"),
        (.methodForbidden("TRACE"), .methodNotAllowed, "method_not_allowed", "TRACE is not allowed"),
        (.unsupportedTransferCoding("gzip"), .notImplemented, "unsupported_transfer_coding", "transfer coding not implemented"),
        (.httpVersionNotSupported, .httpVersionNotSupported, "http_version_not_supported", "HTTP version not supported"),
        (.expectationFailed, .expectationFailed, "expectation_failed", "only 100-continue is supported in Expect"),
        (.requestTimeout, .requestTimeout, "request_timeout", "request not received in time"),
        (.payloadTooLarge(limit: 1024), .payloadTooLarge, "payload_too_large", "request body larger than 1024 bytes"),
        (.uriTooLong(limit: 8192), .uriTooLong, "uri_too_long", "request target longer than 8192 bytes"),
        (.headerFieldsTooLarge, .requestHeaderFieldsTooLarge, "header_fields_too_large", "request header fields too large"),
        (.badGateway(upstream: "users", reason: "reset by 10.0.0.5:8080"), .badGateway, "bad_gateway", "upstream failed"),
        (.serviceUnavailable(upstream: "users", reason: "all 10.0.0.5 down"), .serviceUnavailable, "service_unavailable",
            "no upstream server available"),
        (.gatewayTimeout(upstream: "users", reason: "10.0.0.5 slow"), .gatewayTimeout, "gateway_timeout", "upstream timed out"),
        (.shuttingDown, .serviceUnavailable, "shutting_down", "gateway is shutting down"),
        (.internalError("index out of range at 0x7fff"), .internalServerError, "internal_error", "internal error"),
    ])
    func rendersErrorAsJSON(error: GatewayError, status: HTTPResponseStatus, code: String, message: String) throws {
        let response = GatewayResponse.error(error, requestID: "0123abcd")
        #expect(response.status == status)
        #expect(response.headers["Content-Type"] == ["application/json"])
        #expect(response.headers["Cache-Control"] == ["no-store"])
        let body = try decode(response)
        #expect(body.code == code)
        #expect(body.message == message)
        #expect(body.requestID == "0123abcd")
        let text = String(buffer: response.body!)
        #expect(!text.contains("10.0.0.5"), "upstream detail leaked: \(text)")
        #expect(!text.contains("0x7fff"), "internal detail leaked: \(text)")
    }

    @Test func bodyIsCompactJSONWithTrailingNewline() {
        let response = GatewayResponse.error(.noRoute, requestID: "r1")
        #expect(
            String(buffer: response.body!)
                == #"{"error":{"code":"route_not_found","message":"no route matches this request","request_id":"r1"}}"# + "\n")
    }

    @Test(arguments: [
        "plain",
        #"quote " inside"#,
        #"back\slash and \" both"#,
        "newline\nreturn\rtab\t",
        "nul \u{0} bell \u{7} esc \u{1B} us \u{1F} del \u{7F}",
        "unicode é ☃ 😀",
        "</script><script>alert(1)</script>",
        "",
    ])
    func escapesMessageAndRequestID(text: String) throws {
        let response = GatewayResponse.error(.badRequest(text), requestID: text)
        let body = try decode(response)
        #expect(body.message == text)
        #expect(body.requestID == text)
        // no raw control byte before the final newline
        let bytes = Array(response.body!.readableBytesView)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().allSatisfy { $0 >= 0x20 && $0 != 0x7F })
    }

    @Test(arguments: [
        (["GET"], "GET"),
        (["DELETE", "GET", "POST"], "DELETE, GET, POST"),
        ([], ""),
    ] as [([String], String)])
    func methodNotAllowedListsAllowedMethods(allowed: [String], header: String) {
        let response = GatewayResponse.error(.methodNotAllowed(allowed: allowed), requestID: "r")
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == [header])
    }

    @Test(arguments: [GatewayError.noRoute, .badRequest("x"), .shuttingDown])
    func otherErrorsHaveNoAllow(error: GatewayError) {
        #expect(!GatewayResponse.error(error, requestID: "r").headers.contains(name: "Allow"))
    }

    @Test func writeJSONEscapedReportsBytesWritten() {
        var buffer = ByteBuffer()
        let written = buffer.writeJSONEscaped("a\"\u{1}")
        #expect(String(buffer: buffer) == #"a\"\u0001"#)
        #expect(written == buffer.readableBytes)
    }
}
