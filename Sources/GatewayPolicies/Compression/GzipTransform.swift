import GatewayCore
import NIOCore

/// Makes a ``GzipEncoder`` at the route's level for each compressed response.
public struct GzipTransform: ResponseBodyTransformFactory {
    public let level: Int32

    public init(level: Int) {
        self.level = Int32(level)
    }

    public func makeTransform(allocator: ByteBufferAllocator) -> any ResponseBodyTransform {
        GzipEncoder(level: level, allocator: allocator)
    }
}
