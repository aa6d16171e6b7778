import NIOCore
import NIOHTTP2

/// Applies the connection timeouts to an HTTP/2 connection: while at least one stream is open the
/// connection is busy; when the last one closes, `keepalive_idle` runs until the next stream.
///
/// Called by NIOHTTP2 on the connection's event loop.
final class HTTP2StreamTracker: NIOHTTP2StreamDelegate {
    private final class State {
        let timeouts: ConnectionTimeoutHandler
        // By id: NIOHTTP2 may report a stream closed that was reset before it was announced.
        var open: Set<HTTP2StreamID> = []
        init(timeouts: ConnectionTimeoutHandler) { self.timeouts = timeouts }
    }

    private let state: NIOLoopBound<State>

    init(timeouts: ConnectionTimeoutHandler, eventLoop: any EventLoop) {
        self.state = NIOLoopBound(State(timeouts: timeouts), eventLoop: eventLoop)
    }

    func streamCreated(_ id: HTTP2StreamID, channel: any Channel) {
        let state = self.state.value
        let wasIdle = state.open.isEmpty
        state.open.insert(id)
        if wasIdle { state.timeouts.requestHeadReceived() }
    }

    func streamClosed(_ id: HTTP2StreamID, channel: any Channel) {
        let state = self.state.value
        guard state.open.remove(id) != nil, state.open.isEmpty else { return }
        state.timeouts.requestFinished()
    }
}
