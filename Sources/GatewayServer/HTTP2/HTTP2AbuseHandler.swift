import NIOCore
import NIOHTTP2

/// Closes an HTTP/2 connection once NIOHTTP2 has found it abusive: too many stream resets (rapid
/// reset, CVE-2023-44487), CONTINUATION floods (CVE-2024-27316), stream errors, control or empty
/// frames, oversized header blocks or protocol glitches. NIOHTTP2 has sent GOAWAY by then but
/// leaves closing to the application; a peer that does not close itself must not keep the socket.
///
/// Other errors on the connection channel are stream errors (the stream was reset, the connection
/// goes on) and pass through.
final class HTTP2AbuseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case is NIOHTTP2Errors.ExcessiveRSTFrames,
            is NIOHTTP2Errors.ExcessiveContinuationFrames,
            is NIOHTTP2Errors.ExcessivelyLargeHeaderBlock,
            is NIOHTTP2Errors.ExcessiveStreamErrors,
            is NIOHTTP2Errors.ExcessiveControlFrames,
            is NIOHTTP2Errors.ExcessiveEmptyDataFrames,
            is NIOHTTP2Errors.ExcessiveNumberOfGlitches,
            is NIOHTTP2Errors.ExcessiveOutboundFrameBuffering:
            // NIOHTTP2 buffers its GOAWAY while a read is in progress: send it before closing.
            context.flush()
            context.close(promise: nil)
        default:
            break
        }
    }
}

@available(*, unavailable)
extension HTTP2AbuseHandler: Sendable {}
