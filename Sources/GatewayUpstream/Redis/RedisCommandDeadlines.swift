import NIOCore

/// Fails the commands of one client whose deadline has passed, with one ``DeadlineTimer`` for
/// all of them instead of a timer-heap insertion and removal per command.
///
/// Commands are kept in the order they were sent. The timer is set to the earliest deadline of
/// the commands still waiting; when it expires the commands whose deadline has passed fail, the
/// completed ones are forgotten and the timer is set for the rest. Completed commands at the
/// front are also dropped on every ``track(_:)``, so the queue holds about as many commands as
/// are in flight.
///
/// Not Sendable: it belongs to its client's event loop.
final class RedisCommandDeadlines {
    private let eventLoop: any EventLoop
    private var commands = CircularBuffer<RedisPendingCommand>()
    private lazy var timer = DeadlineTimer(eventLoop: eventLoop) { [weak self] in self?.expire() }

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Commands tracked and not yet dropped (completed ones are dropped lazily).
    var count: Int { commands.count }

    /// Fails `command` with ``RedisError/timeout`` at its deadline unless it completes first.
    func track(_ command: RedisPendingCommand) {
        guard let deadline = command.deadline else { return }
        while let first = commands.first, first.done { commands.removeFirst() }
        commands.append(command)
        if let current = timer.deadline, current <= deadline { return }
        timer.set(at: deadline)
    }

    /// Stops the timer; commands still waiting are the client's to fail.
    func cancel() {
        timer.invalidate()
        commands.removeAll()
    }

    private func expire() {
        let now = NIODeadline.now()
        var expired: [RedisPendingCommand] = []
        var waiting = CircularBuffer<RedisPendingCommand>(initialCapacity: commands.count)
        var next: NIODeadline?
        for command in commands where !command.done {
            guard let deadline = command.deadline else { continue }
            if deadline <= now {
                expired.append(command)
            } else {
                waiting.append(command)
                next = min(next ?? deadline, deadline)
            }
        }
        commands = waiting
        if let next { timer.set(at: next) }
        // Last: a failed command's callbacks may send (and so track) further commands.
        for command in expired { command.fail(.timeout) }
    }
}

@available(*, unavailable)
extension RedisCommandDeadlines: Sendable {}
