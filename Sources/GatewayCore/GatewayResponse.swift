import NIOCore
import NIOHTTP1

/// A complete response the gateway produces itself (static `respond`, redirects, errors, and
/// answers from policies such as a preflight or a cache hit).
public struct GatewayResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

extension GatewayResponse {
    /// The one rendering of a ``GatewayError``: `{"error":{"code","message","request_id"}}`.
    public static func error(_ error: GatewayError, requestID: String) -> GatewayResponse {
        var body = ByteBuffer()
        body.reserveCapacity(96 + error.message.utf8.count + requestID.utf8.count)
        body.writeStaticString(#"{"error":{"code":""#)
        body.writeJSONEscaped(error.code)
        body.writeStaticString(#"","message":""#)
        body.writeJSONEscaped(error.message)
        body.writeStaticString(#"","request_id":""#)
        body.writeJSONEscaped(requestID)
        body.writeStaticString("\"}}\n")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Cache-Control", value: "no-store")
        switch error {
        case .methodNotAllowed(let allowed):
            headers.add(name: "Allow", value: allowed.joined(separator: ", "))
        case .methodForbidden:
            // Refused before routing (TRACE, CONNECT): every other method may be routable, and a
            // 405 must still name some (RFC 9110 §15.5.6).
            headers.add(name: "Allow", value: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
        default:
            break
        }
        if let challenge = error.wwwAuthenticate {
            headers.add(name: "WWW-Authenticate", value: challenge)
        }
        if case .rateLimited(_, let retryAfter) = error {
            headers.add(name: "Retry-After", value: String(retryAfter))
        }
        if case .upstreamOverloaded = error {
            headers.add(name: "Retry-After", value: "1")
        }
        return GatewayResponse(status: error.status, headers: headers, body: body)
    }
}

extension ByteBuffer {
    /// Writes `string` escaped for inclusion inside a JSON string literal (RFC 8259 §7).
    @discardableResult
    public mutating func writeJSONEscaped(_ string: String) -> Int {
        var written = 0
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): written += self.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): written += self.writeStaticString("\\\\")
            case 0x0A: written += self.writeStaticString("\\n")
            case 0x0D: written += self.writeStaticString("\\r")
            case 0x09: written += self.writeStaticString("\\t")
            case 0x00..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                written += self.writeBytes([
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: written += self.writeInteger(byte)
            }
        }
        return written
    }
}
