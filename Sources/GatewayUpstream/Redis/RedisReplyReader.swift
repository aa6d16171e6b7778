import CHiredis
import NIOCore

/// Decodes RESP replies from the bytes of one connection with hiredis' `redisReader`.
///
/// Not Sendable: it belongs to one connection on one event loop.
final class RedisReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() {
        reader = redisReaderCreate()
    }

    deinit {
        redisReaderFree(reader)
    }

    func feed(_ buffer: ByteBuffer) throws {
        let status = buffer.withUnsafeReadableBytes { bytes in
            redisReaderFeed(reader, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == REDIS_OK else { throw RedisError.protocolError(errorText) }
    }

    /// The next complete reply, or `nil` until more bytes arrive.
    func next() throws -> RedisValue? {
        var reply: UnsafeMutableRawPointer? = nil
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else { throw RedisError.protocolError(errorText) }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return Self.value(reply.assumingMemoryBound(to: redisReply.self).pointee)
    }

    private var errorText: String {
        withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private static func value(_ reply: redisReply) -> RedisValue {
        func text() -> String {
            guard let str = reply.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: reply.len), as: UTF8.self)
        }
        switch reply.type {
        case REDIS_REPLY_STATUS: return .status(text())
        case REDIS_REPLY_ERROR: return .error(text())
        case REDIS_REPLY_INTEGER: return .integer(reply.integer)
        case REDIS_REPLY_STRING: return .string(text())
        case REDIS_REPLY_ARRAY:
            guard let elements = reply.element else { return .array([]) }
            return .array((0..<reply.elements).map { elements[$0].map { value($0.pointee) } ?? .null })
        default: return .null
        }
    }
}
