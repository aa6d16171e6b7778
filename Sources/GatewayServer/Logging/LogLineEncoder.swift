import GatewayCore
import Logging
import NIOCore

/// Renders one process log line, JSON or text, with secrets redacted.
///
/// JSON lines are `{"ts":…,"level":…,"logger":…,"msg":…,"request_id":…,…}`: the request id (when
/// the metadata has one) right after the message, then the other metadata keys sorted, nested
/// dictionaries flattened to dotted keys (`peer.address`). A metadata key that would shadow one of
/// the four fixed fields is written with a `meta.` prefix. Values of secret-looking keys
/// (``LogRedaction/isSecretKey(_:)``) and values that carry credentials are written as
/// `(redacted)`. Every string goes through JSON escaping, so quotes, newlines and control
/// characters cannot break a line or forge another.
enum LogLineEncoder {
    static let fixedFields: Set<String> = ["ts", "level", "logger", "msg"]

    enum Value: Equatable {
        case string(String)
        case list([String])
    }

    static func encode(
        _ format: LogFormat, label: String, level: Logger.Level, message: String, metadata: Logger.Metadata, error: (any Error)? = nil
    ) -> ByteBuffer {
        var fields = flatten(metadata)
        if let error, !fields.contains(where: { $0.key == "error" }) {
            fields.append((key: "error", value: .string("\(error)")))
            fields.sort { $0.key < $1.key }
        }
        if let index = fields.firstIndex(where: { $0.key == "request_id" }) {
            fields.insert(fields.remove(at: index), at: 0)
        }
        var buffer = ByteBuffer()
        switch format {
        case .json: writeJSON(label: label, level: level, message: message, fields: fields, to: &buffer)
        case .text: writeText(label: label, level: level, message: message, fields: fields, to: &buffer)
        }
        return buffer
    }

    /// The metadata as sorted `(key, value)` pairs, nested dictionaries flattened, secrets redacted.
    static func flatten(_ metadata: Logger.Metadata) -> [(key: String, value: Value)] {
        var out: [(key: String, value: Value)] = []
        func visit(_ key: String, _ value: Logger.MetadataValue, secret: Bool) {
            let secret = secret || LogRedaction.isSecretKey(key.split(separator: ".").last.map(String.init) ?? key)
            switch value {
            case .dictionary(let nested):
                for (inner, value) in nested { visit(key + "." + inner, value, secret: secret) }
            case .array(let items):
                out.append((key: key, value: .list(items.map { redacted("\($0)", secret: secret) })))
            case .string(let text):
                out.append((key: key, value: .string(redacted(text, secret: secret))))
            case .stringConvertible(let value):
                out.append((key: key, value: .string(redacted(value.description, secret: secret))))
            }
        }
        for (key, value) in metadata { visit(fixedFields.contains(key) ? "meta." + key : key, value, secret: false) }
        return out.sorted { $0.key < $1.key }
    }

    private static func redacted(_ text: String, secret: Bool) -> String {
        secret || LogRedaction.isSecretValue(text) ? LogRedaction.placeholder : text
    }

    private static func writeJSON(label: String, level: Logger.Level, message: String, fields: [(key: String, value: Value)], to buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"ts":""#)
        WallClock.write(WallClock.now(), to: &buffer)
        buffer.writeStaticString(#"","level":""#)
        buffer.writeString(level.rawValue)
        buffer.writeStaticString(#"","logger":""#)
        buffer.writeJSONEscaped(label)
        buffer.writeStaticString(#"","msg":""#)
        buffer.writeJSONEscaped(message)
        buffer.writeStaticString("\"")
        for (key, value) in fields {
            buffer.writeStaticString(",\"")
            buffer.writeJSONEscaped(key)
            buffer.writeStaticString("\":")
            switch value {
            case .string(let text):
                writeQuoted(text, to: &buffer)
            case .list(let items):
                writeList(items, to: &buffer)
            }
        }
        buffer.writeStaticString("}\n")
    }

    /// `TS LEVEL LOGGER: MESSAGE key=value key="value with spaces"`, control characters escaped.
    private static func writeText(label: String, level: Logger.Level, message: String, fields: [(key: String, value: Value)], to buffer: inout ByteBuffer) {
        WallClock.write(WallClock.now(), to: &buffer)
        buffer.writeStaticString(" ")
        buffer.writeString(level.rawValue)
        buffer.writeStaticString(" ")
        buffer.writeJSONEscaped(label)
        buffer.writeStaticString(": ")
        buffer.writeJSONEscaped(message)
        for (key, value) in fields {
            buffer.writeStaticString(" ")
            buffer.writeJSONEscaped(key)
            buffer.writeStaticString("=")
            switch value {
            case .string(let text):
                if text.isEmpty || text.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 == 0x7F }) {
                    writeQuoted(text, to: &buffer)
                } else {
                    buffer.writeString(text)
                }
            case .list(let items):
                writeList(items, to: &buffer)
            }
        }
        buffer.writeStaticString("\n")
    }

    private static func writeList(_ items: [String], to buffer: inout ByteBuffer) {
        buffer.writeStaticString("[")
        for (index, item) in items.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            writeQuoted(item, to: &buffer)
        }
        buffer.writeStaticString("]")
    }

    private static func writeQuoted(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"")
        buffer.writeJSONEscaped(text)
        buffer.writeStaticString("\"")
    }
}
