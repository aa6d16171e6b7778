import GatewayCore
import NIOCore
import NIOHTTP1

/// Copies a response body, as the client receives it (after compression), into the cache when
/// the body ends, up to `max_object`; passes every byte through unchanged. A capture that never
/// finishes (client gone, upstream failed) stores nothing, and in every case the fill it leads
/// is ended, so coalesced followers go on.
final class CacheCapture: ResponseBodyTransform {
    private let inner: (any ResponseBodyTransform)?
    private let recipe: CacheCaptureFactory
    private var body: ByteBuffer?
    private var ended = false

    init(inner: (any ResponseBodyTransform)?, recipe: CacheCaptureFactory, allocator: ByteBufferAllocator) {
        self.inner = inner
        self.recipe = recipe
        self.body = allocator.buffer(capacity: 0)
    }

    deinit { endFill() }

    func transform(_ body: ByteBuffer) -> ByteBuffer {
        let out = inner?.transform(body) ?? body
        keep(out)
        return out
    }

    func finish() -> ByteBuffer {
        let tail = inner?.finish() ?? ByteBuffer()
        keep(tail)
        if let body {
            let entry = CachedResponse(status: recipe.status, headers: recipe.headers, body: body, freshness: recipe.freshness, variant: recipe.variant)
            recipe.cache.store(entry, under: recipe.key)
        }
        body = nil
        endFill()
        return tail
    }

    private func keep(_ part: ByteBuffer) {
        guard body != nil, part.readableBytes > 0 else { return }
        if body!.readableBytes + part.readableBytes > recipe.cache.config.maxObject {
            body = nil
            endFill()
        } else {
            body!.writeImmutableBuffer(part)
        }
    }

    private func endFill() {
        guard recipe.leader, !ended else { return }
        ended = true
        recipe.cache.finishFill(recipe.key)
    }
}

@available(*, unavailable)
extension CacheCapture: Sendable {}

/// What a ``CacheCapture`` stores, decided with the response head.
struct CacheCaptureFactory: ResponseBodyTransformFactory {
    let inner: (any ResponseBodyTransformFactory)?
    let cache: ResponseCache
    let key: CacheKey
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let freshness: CacheFreshness
    let variant: CacheVariant
    let leader: Bool

    func makeTransform(allocator: ByteBufferAllocator) -> any ResponseBodyTransform {
        CacheCapture(inner: inner?.makeTransform(allocator: allocator), recipe: self, allocator: allocator)
    }
}
