import NIOCore

/// The protections and flow-control windows of HTTP/2 client connections.
///
/// The defaults are safe for a public endpoint: 100 concurrent streams, a 16 KiB header list,
/// connections closed after 200 stream resets in 30 s (rapid reset, CVE-2023-44487) or more than
/// 5 CONTINUATION frames in a row (CVE-2024-27316), and windows large enough that one stream can
/// fill a fast link without waiting for WINDOW_UPDATE frames.
public struct HTTP2Limits: Sendable, Hashable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS.
    public var maxConcurrentStreams: Int
    /// SETTINGS_MAX_HEADER_LIST_SIZE, in bytes (uncompressed, as RFC 9113 counts it).
    public var maxHeaderListSize: Int
    /// Inbound flow-control window of one stream, in bytes.
    public var streamWindow: Int
    /// Inbound flow-control window of the whole connection, in bytes.
    public var connectionWindow: Int
    /// RST_STREAM frames a client may send within `resetWindow` before the connection is closed.
    public var maxResets: Int
    public var resetWindow: TimeAmount
    /// CONTINUATION frames allowed after one HEADERS frame before the connection is closed.
    public var maxContinuationFrames: Int

    public init(
        maxConcurrentStreams: Int = 100,
        maxHeaderListSize: Int = 16 * 1024,
        streamWindow: Int = 1024 * 1024,
        connectionWindow: Int = 8 * 1024 * 1024,
        maxResets: Int = 200,
        resetWindow: TimeAmount = .seconds(30),
        maxContinuationFrames: Int = 5
    ) {
        self.maxConcurrentStreams = maxConcurrentStreams
        self.maxHeaderListSize = maxHeaderListSize
        self.streamWindow = streamWindow
        self.connectionWindow = connectionWindow
        self.maxResets = maxResets
        self.resetWindow = resetWindow
        self.maxContinuationFrames = maxContinuationFrames
    }
}
