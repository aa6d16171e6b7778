import NIOCore

/// One Redis connection: writes commands as they come (pipelined, never waiting for replies)
/// and hands each decoded reply to the oldest command still waiting, as RESP orders them.
///
/// Commands are flushed once per event-loop iteration: the requests a loop reads in one pass
/// share one `write` to Redis instead of one each.
///
/// Not Sendable: it lives on its channel's event loop.
final class RedisConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let reader = RedisReplyReader()
    private var waiting = CircularBuffer<RedisPendingCommand>()
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    /// Called once when the connection has closed, after every waiting command failed.
    var onClose: (() -> Void)?

    var isActive: Bool { context?.channel.isActive ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes one command; its reply completes `command`.
    func send(_ arguments: [String], for command: RedisPendingCommand) {
        guard let context, context.channel.isActive else {
            command.fail(.connectionClosed)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        RedisCommandEncoder.encode(arguments, into: &buffer)
        waiting.append(command)
        context.write(wrapOutboundOut(buffer), promise: nil)
        guard !flushScheduled else { return }
        flushScheduled = true
        // Tasks run after the loop has handled every ready channel of this iteration.
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            self.context?.flush()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() {
                guard let command = waiting.popFirst() else {
                    throw RedisError.protocolError("reply without a command")
                }
                command.succeed(reply)
            }
        } catch {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        while let command = waiting.popFirst() { command.fail(.connectionClosed) }
        let onClose = self.onClose
        self.onClose = nil
        onClose?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }
}

@available(*, unavailable)
extension RedisConnectionHandler: Sendable {}
