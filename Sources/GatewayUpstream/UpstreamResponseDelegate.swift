import NIOCore
import NIOHTTP1

/// Receives what an upstream connection reads, on the connection's event loop.
///
/// The exchange that borrowed the connection is the delegate while the request runs; the pool is
/// the delegate while the connection is idle. Calls are direct (same event loop), never hops.
public protocol UpstreamResponseDelegate: AnyObject {
    func upstreamResponseHead(_ head: HTTPResponseHead)
    func upstreamResponseBody(_ body: ByteBuffer)
    func upstreamResponseEnd(_ trailers: HTTPHeaders?)
    /// A batch of reads ended: the moment to flush what was written downstream.
    func upstreamReadComplete()
    func upstreamWritabilityChanged(isWritable: Bool)
    /// The connection failed or closed; nothing more will be delivered.
    func upstreamClosed(error: (any Error)?)
    /// The deadline set with ``UpstreamConnection/setDeadline(after:)`` passed.
    func upstreamDeadlinePassed()
}
