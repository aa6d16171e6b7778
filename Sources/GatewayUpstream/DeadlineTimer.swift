import NIOCore

/// A timeout whose deadline moves on every request or body chunk, at the cost of a field store.
///
/// Scheduling and cancelling an event-loop task per request (keep-alive idle, first byte, body
/// idle, pool idle) is a heap insertion and removal each time. This timer keeps one scheduled
/// task: moving the deadline later only records it, and when the task fires before the current
/// deadline it re-arms itself for the rest. Moving the deadline earlier re-arms at once.
///
/// Not Sendable: it belongs to one event loop and is used only there.
public final class DeadlineTimer {
    private let eventLoop: any EventLoop
    /// The pending deadline; `nil` when cleared or passed.
    public private(set) var deadline: NIODeadline?
    private var firesAt: NIODeadline?
    private var task: Scheduled<Void>?
    private var onExpiry: (() -> Void)?

    /// `onExpiry` runs on the event loop when a deadline set with ``set(after:)`` or ``set(at:)`` passes;
    /// capture owners weakly (the owner holds this timer).
    public init(eventLoop: any EventLoop, onExpiry: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.onExpiry = onExpiry
    }

    /// Sets the deadline to `amount` from now, replacing any earlier one.
    public func set(after amount: TimeAmount) {
        set(at: .now() + amount)
    }

    /// Sets the deadline to `deadline`, replacing any earlier one.
    public func set(at deadline: NIODeadline) {
        self.deadline = deadline
        if let firesAt, firesAt <= deadline { return }
        schedule(at: deadline)
    }

    /// Clears the deadline. The pending task, if any, stays and finds nothing to do when it fires
    /// (cheaper than removing it from the loop's timer heap on every request).
    public func clear() {
        deadline = nil
    }

    /// Clears the deadline, removes the pending task and drops the expiry callback, breaking any
    /// reference cycle through it (when the owner goes away).
    public func invalidate() {
        deadline = nil
        firesAt = nil
        task?.cancel()
        task = nil
        onExpiry = nil
    }

    private func schedule(at deadline: NIODeadline) {
        task?.cancel()
        firesAt = deadline
        task = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            self?.fired()
        }
    }

    private func fired() {
        task = nil
        firesAt = nil
        guard let deadline else { return }
        if NIODeadline.now() < deadline {
            schedule(at: deadline)
            return
        }
        self.deadline = nil
        onExpiry?()
    }
}

@available(*, unavailable)
extension DeadlineTimer: Sendable {}
