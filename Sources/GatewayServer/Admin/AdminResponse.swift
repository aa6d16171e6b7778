import NIOCore
import NIOHTTP1

/// One answer of the admin listener.
struct AdminResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: String
    var headers: [(String, String)] = []

    static func json(_ status: HTTPResponseStatus, _ body: String) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: body + "\n")
    }

    static func text(_ status: HTTPResponseStatus, _ body: String) -> AdminResponse {
        AdminResponse(status: status, contentType: "text/plain; charset=utf-8", body: body)
    }

    /// A JSON string literal (quotes included).
    static func quoted(_ text: String) -> String {
        var buffer = ByteBuffer()
        buffer.writeStaticString("\"")
        buffer.writeJSONEscaped(text)
        buffer.writeStaticString("\"")
        return String(buffer: buffer)
    }
}
