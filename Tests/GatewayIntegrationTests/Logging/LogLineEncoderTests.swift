import Foundation
import GatewayCore
import Logging
import NIOCore
import Testing

@testable import GatewayServer

/// Process log lines: one valid JSON object per line whatever the message and metadata hold,
/// secrets redacted, the request id up front; the text form on one line too.
@Suite("Process log lines") struct LogLineEncoderTests {
    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        let text = String(buffer: buffer)
        #expect(text.hasSuffix("\n"))
        #expect(text.dropLast().contains("\n") == false, "a log line must not contain a raw line break: \(text)")
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    static let hostile = [
        #"quote " and backslash \ end"#,
        "line\nbreak\r\nand\ttab",
        "control \u{01}\u{1F}\u{7F} bytes",
        String(decoding: [0x66, 0xFF, 0xFE, 0xC3, 0x28, 0x67] as [UInt8], as: UTF8.self),
        #"{"forged":"line"}"# + "\n" + #"{"ts":"x"}"#,
        "\u{2028}\u{2029} separators and émoji 🚀",
    ]

    @Test(arguments: hostile)
    func hostileStringsStayOneValidJSONLine(text: String) throws {
        let line = LogLineEncoder.encode(
            .json, label: "gateway.upstream", level: .warning, message: "msg \(text)", metadata: ["detail": "\(text)", text: "key"])
        let object = try Self.json(line)
        #expect(object["msg"] as? String == "msg \(text)")
        #expect(object["detail"] as? String == text)
        #expect(object[text] as? String == "key")
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "gateway.upstream")
    }

    @Test(arguments: hostile)
    func hostileStringsStayOneTextLine(text: String) throws {
        let line = String(buffer: LogLineEncoder.encode(.text, label: "gateway", level: .info, message: text, metadata: ["detail": "\(text)"]))
        #expect(line.hasSuffix("\n"))
        #expect(!line.dropLast().contains("\n") && !line.contains("\r"))
        #expect(line.contains(" info gateway: "))
    }

    @Test func timestampLevelLoggerAndMessageComeFirstThenTheRequestID() throws {
        let line = String(buffer: LogLineEncoder.encode(.json, label: "gateway.reload", level: .error, message: "m", metadata: ["a": "1", "request_id": "r-1"]))
        #expect(line.hasPrefix(#"{"ts":""#))
        #expect(line.contains(#"","level":"error","logger":"gateway.reload","msg":"m","request_id":"r-1","a":"1"}"#))
        let ts = try #require(try Self.json(LogLineEncoder.encode(.json, label: "g", level: .info, message: "m", metadata: [:]))["ts"] as? String)
        #expect(ts.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(ts)")
    }

    @Test func nestedMetadataIsFlattenedAndFixedFieldsAreNotShadowed() throws {
        let object = try Self.json(
            LogLineEncoder.encode(
                .json, label: "gateway", level: .info, message: "real",
                metadata: ["peer": ["address": "10.0.0.1", "port": "80"], "msg": "fake", "ts": "fake", "list": ["a", "b"]]))
        #expect(object["peer.address"] as? String == "10.0.0.1")
        #expect(object["peer.port"] as? String == "80")
        #expect(object["msg"] as? String == "real")
        #expect(object["meta.msg"] as? String == "fake")
        #expect(object["meta.ts"] as? String == "fake")
        #expect(object["list"] as? [String] == ["a", "b"])
    }

    @Test(arguments: [
        "authorization", "Authorization", "proxy-authorization", "cookie", "Set-Cookie", "password", "db_password", "token",
        "refresh_token", "client_secret", "x-api-key", "api_key", "credentials",
    ])
    func secretKeysAreRedacted(key: String) throws {
        let line = LogLineEncoder.encode(.json, label: "gateway", level: .info, message: "m", metadata: [key: "hunter2-value"])
        #expect(!String(buffer: line).contains("hunter2"))
        #expect(try Self.json(line)[key] as? String == "(redacted)")
        let text = LogLineEncoder.encode(.text, label: "gateway", level: .info, message: "m", metadata: [key: "hunter2-value"])
        #expect(!String(buffer: text).contains("hunter2"))
    }

    @Test func secretsInsideNestedMetadataAndCredentialValuesAreRedacted() throws {
        let object = try Self.json(
            LogLineEncoder.encode(
                .json, label: "gateway", level: .info, message: "m",
                metadata: [
                    "headers": ["authorization": "Bearer abc.def.ghi", "accept": "*/*"],
                    "upstream_reply": "Basic dXNlcjpwYXNz",
                    "tokens": ["one", "two"],
                    "note": "bearer-less text",
                ]))
        #expect(object["headers.authorization"] as? String == "(redacted)")
        #expect(object["headers.accept"] as? String == "*/*")
        #expect(object["upstream_reply"] as? String == "(redacted)")
        #expect(object["tokens"] as? [String] == ["(redacted)", "(redacted)"])
        #expect(object["note"] as? String == "bearer-less text")
    }

    @Test func anErrorOfTheEventIsAField() throws {
        struct Failure: Error, CustomStringConvertible { var description: String { "it broke" } }
        let object = try Self.json(LogLineEncoder.encode(.json, label: "gateway", level: .error, message: "m", metadata: [:], error: Failure()))
        #expect(object["error"] as? String == "it broke")
    }
}
