import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking `write(2)` of a whole buffer, for the log writers' own dispatch queues only.
enum DescriptorWrite {
    /// Writes every byte, retrying on `EINTR`; gives up silently on any other error (a log
    /// cannot report its own failure anywhere better).
    static func all(_ fd: Int32, _ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let n = write(fd, base + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
