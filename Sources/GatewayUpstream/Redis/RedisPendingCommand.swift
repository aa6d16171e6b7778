import NIOCore

/// A command waiting for its reply: completed once, by the reply, its deadline or the
/// connection's end, whichever comes first.
///
/// Not Sendable: it lives on its client's event loop.
final class RedisPendingCommand {
    let promise: EventLoopPromise<RedisValue>
    /// When ``RedisCommandDeadlines`` fails it with ``RedisError/timeout``; `nil` for setup
    /// commands, which the connection's own lifetime bounds.
    let deadline: NIODeadline?
    private(set) var done = false

    init(promise: EventLoopPromise<RedisValue>, deadline: NIODeadline? = nil) {
        self.promise = promise
        self.deadline = deadline
    }

    func succeed(_ value: RedisValue) {
        guard !done else { return }
        done = true
        promise.succeed(value)
    }

    func fail(_ error: RedisError) {
        guard !done else { return }
        done = true
        promise.fail(error)
    }
}
