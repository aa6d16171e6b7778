import GatewayCore
import NIOCore

/// Drops a response body: the upstream's or gateway's bytes after a cache answered with a
/// body-less status (a 304 to the client's conditional, or HEAD) in their place.
struct DiscardedBody: ResponseBodyTransformFactory {
    func makeTransform(allocator: ByteBufferAllocator) -> any ResponseBodyTransform {
        StoredBody.Transform(body: ByteBuffer())
    }
}
