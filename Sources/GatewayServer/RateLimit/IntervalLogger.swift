import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Logs a recurring problem at most once per interval, with how many times it happened since
/// the last line, so an outage writes a few lines instead of one per request.
///
/// Its lock is taken only when there is something to report, never on the normal path.
final class IntervalLogger: Sendable {
    private let logger: Logger
    private let interval: TimeAmount
    private let state = NIOLockedValueBox<(last: NIODeadline?, suppressed: Int)>((nil, 0))

    init(logger: Logger, interval: TimeAmount = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: Logger.Metadata = [:]) {
        let now = NIODeadline.now()
        let suppressed: Int? = state.withLockedValue { state in
            if let last = state.last, now - last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed
        }
        guard let suppressed else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["repeated"] = "\(suppressed)" }
        logger.warning(message(), metadata: metadata)
    }
}
