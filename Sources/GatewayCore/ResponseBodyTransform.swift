import NIOCore

/// A stateful rewrite of one response body as it streams to the client (gzip, for one).
///
/// Made per response by a ``ResponseBodyTransformFactory`` that a response policy chose while
/// adjusting the head, then fed every body part in order and finished once. Not Sendable: it
/// lives on the connection's event loop with its response. Output may be empty for an input
/// (the transform buffers internally, within its own bound).
public protocol ResponseBodyTransform: AnyObject {
    func transform(_ body: ByteBuffer) -> ByteBuffer
    /// The bytes that end the body; called once, after the last ``transform(_:)``.
    func finish() -> ByteBuffer
}

/// Makes the ``ResponseBodyTransform`` of one response; immutable and part of the plan.
public protocol ResponseBodyTransformFactory: Sendable {
    func makeTransform(allocator: ByteBufferAllocator) -> any ResponseBodyTransform
}
