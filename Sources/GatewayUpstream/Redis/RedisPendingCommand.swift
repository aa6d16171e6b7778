import NIOCore

/// A command waiting for its reply: completed once, by the reply, the timeout or the
/// connection's end, whichever comes first.
///
/// Not Sendable: it lives on its client's event loop.
final class RedisPendingCommand {
    let promise: EventLoopPromise<RedisValue>
    var timer: Scheduled<Void>?
    private(set) var done = false

    init(promise: EventLoopPromise<RedisValue>) {
        self.promise = promise
    }

    func succeed(_ value: RedisValue) {
        guard !done else { return }
        done = true
        timer?.cancel()
        promise.succeed(value)
    }

    func fail(_ error: RedisError) {
        guard !done else { return }
        done = true
        timer?.cancel()
        promise.fail(error)
    }
}
