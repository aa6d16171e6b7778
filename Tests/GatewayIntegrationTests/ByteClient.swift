import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// A TCP client that sends raw bytes and reads exact byte counts, for protocols after HTTP.
final class ByteClient: Sendable {
    private let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    static func connect(port: Int, group: any EventLoopGroup) async throws -> ByteClient {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return ByteClient(channel: channel, collector: collector)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The response head, up to and including the blank line.
    func readHead(timeout: TimeAmount = .seconds(10)) async throws -> String {
        let bytes = try await collector.take(timeout: timeout, on: channel.eventLoop) { buffer in
            let view = Array(buffer.readableBytesView)
            for i in 0..<max(0, view.count - 3) where view[i] == 13 && view[i + 1] == 10 && view[i + 2] == 13 && view[i + 3] == 10 {
                return i + 4
            }
            return nil
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func read(count: Int, timeout: TimeAmount = .seconds(10)) async throws -> [UInt8] {
        try await collector.take(timeout: timeout, on: channel.eventLoop) { $0.readableBytes >= count ? count : nil }
    }

    /// Waits until the peer closes; fails the test if `timeout` passes first.
    func waitForClose(timeout: TimeAmount) async throws {
        let timedOut = NIOLockedValueBox(false)
        let deadline = channel.eventLoop.scheduleTask(in: timeout) { [channel] in
            timedOut.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        try await channel.closeFuture.get()
        deadline.cancel()
        #expect(!timedOut.withLockedValue { $0 }, "the peer did not close within \(timeout)")
    }

    func close() async throws { try await channel.close() }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private var buffer = ByteBuffer()
        private var waiter: (length: @Sendable (ByteBuffer) -> Int?, promise: EventLoopPromise<[UInt8]>)?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            buffer.writeBuffer(&bytes)
            serve()
        }

        func channelInactive(context: ChannelHandlerContext) {
            waiter?.promise.fail(ChannelError.eof)
            waiter = nil
        }

        private func serve() {
            guard let waiter, let length = waiter.length(buffer) else { return }
            self.waiter = nil
            waiter.promise.succeed(buffer.readBytes(length: length) ?? [])
        }

        func take(timeout: TimeAmount, on loop: any EventLoop, _ length: @escaping @Sendable (ByteBuffer) -> Int?) async throws -> [UInt8] {
            let promise = loop.makePromise(of: [UInt8].self)
            loop.execute {
                self.waiter = (length, promise)
                self.serve()
            }
            let timer = loop.scheduleTask(in: timeout) { promise.fail(ChannelError.connectTimeout(timeout)) }
            defer { timer.cancel() }
            return try await promise.futureResult.get()
        }
    }
}
