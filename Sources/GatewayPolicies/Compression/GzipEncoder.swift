import CZlib
import GatewayCore
import NIOCore

/// A streaming gzip encoder over zlib's deflate: each body part in, whatever deflate has ready
/// out, so a large body never sits in memory whole (zlib keeps its 32 KiB window and a few
/// hundred KiB of state at most).
///
/// Not Sendable: one per response, on the response's event loop.
public final class GzipEncoder: ResponseBodyTransform {
    private let stream: UnsafeMutablePointer<z_stream>
    private let allocator: ByteBufferAllocator
    private var finished = false

    /// `level` is zlib's 1 (fastest) … 9 (smallest).
    public init(level: Int32, allocator: ByteBufferAllocator) {
        self.allocator = allocator
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = czlib_deflate_init_gzip(stream, level)
        // Fails only on an invalid level or no memory; the level is checked at compile time.
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public func transform(_ body: ByteBuffer) -> ByteBuffer {
        deflate(body, flush: Z_NO_FLUSH)
    }

    public func finish() -> ByteBuffer {
        guard !finished else { return allocator.buffer(capacity: 0) }
        finished = true
        return deflate(allocator.buffer(capacity: 0), flush: Z_FINISH)
    }

    private func deflate(_ input: ByteBuffer, flush: Int32) -> ByteBuffer {
        var input = input
        var output = allocator.buffer(capacity: 0)
        input.withUnsafeMutableReadableBytes { source in
            stream.pointee.next_in = source.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(source.count)
            repeat {
                let chunk = max(Int(deflateBound(stream, uLong(stream.pointee.avail_in))), 512)
                output.reserveCapacity(minimumWritableBytes: chunk)
                _ = output.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk) { target in
                    stream.pointee.next_out = target.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(target.count)
                    CZlib.deflate(stream, flush)
                    return target.count - Int(stream.pointee.avail_out)
                }
                // deflate filled the space: more is pending. With room left, it took all input
                // (or, with Z_FINISH, wrote the trailer).
            } while stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
        }
        return output
    }
}

@available(*, unavailable)
extension GzipEncoder: Sendable {}
