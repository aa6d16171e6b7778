import NIOCore
import NIOHTTP2

/// Applies the connection timeouts to an HTTP/2 connection: while at least one stream is open the
/// connection is busy; when the last one closes, `keepalive_idle` runs until the next stream.
///
/// Called by NIOHTTP2 on the connection's event loop.
final class HTTP2StreamTracker: NIOHTTP2StreamDelegate {
    private final class State {
        let timeouts: ConnectionTimeoutHandler
        var open = 0
        init(timeouts: ConnectionTimeoutHandler) { self.timeouts = timeouts }
    }

    private let state: NIOLoopBound<State>

    init(timeouts: ConnectionTimeoutHandler, eventLoop: any EventLoop) {
        self.state = NIOLoopBound(State(timeouts: timeouts), eventLoop: eventLoop)
    }

    func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
        let state = self.state.value
        state.open += 1
        if state.open == 1 { state.timeouts.requestHeadReceived() }
    }

    func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
        let state = self.state.value
        state.open -= 1
        if state.open == 0 { state.timeouts.requestFinished() }
    }
}
