import GatewayCore
import NIOCore

/// Replaces a response body with stored bytes: the body of a 304 that refreshed an entry, or of
/// an error answered with a stale entry (`stale-if-error`). What arrives is dropped; the stored
/// buffer is sent as it is, without a copy.
struct StoredBody: ResponseBodyTransformFactory {
    let body: ByteBuffer

    func makeTransform(allocator: ByteBufferAllocator) -> any ResponseBodyTransform {
        Transform(body: body)
    }

    final class Transform: ResponseBodyTransform {
        private var body: ByteBuffer?

        init(body: ByteBuffer) { self.body = body }

        func transform(_ body: ByteBuffer) -> ByteBuffer { ByteBuffer() }

        func finish() -> ByteBuffer {
            defer { body = nil }
            return body ?? ByteBuffer()
        }
    }
}
