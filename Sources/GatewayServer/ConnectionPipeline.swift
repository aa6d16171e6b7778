import GatewayCore
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL
import NIOTLS

/// Builds the pipeline of an accepted connection. One engine: whichever protocol carries the
/// request, it ends in an ``HTTPExchangeHandler`` that sees HTTP/1-style request parts.
///
/// - cleartext: timeouts → HTTP/1 codec → exchange; with h2c, a preface detector chooses first.
/// - TLS: SNI → TLS with the certificate for that name → timeouts → ALPN → HTTP/1 or HTTP/2.
/// - HTTP/2: NIOHTTP2 (limits from the plan) → per stream: HTTP/2-to-HTTP/1 codec → exchange.
enum ConnectionPipeline {
    static func configure(channel: any Channel, loop: LoopContext, listener: ListenerBinding) throws {
        let timeouts = ConnectionTimeoutHandler(timeouts: loop.plan.settings.timeouts)
        let peer = channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let sync = channel.pipeline.syncOperations
        if let certificates = listener.certificates {
            // Until the ClientHello is read no other timer guards the socket: a client that
            // connects and sends nothing (or trickles its hello) is closed after `request_head`.
            let helloDeadline = channel.eventLoop.scheduleTask(in: loop.plan.settings.timeouts.requestHead) {
                channel.close(promise: nil)
            }
            let sni = ByteToMessageHandler(
                SNIHandler { result in
                    helloDeadline.cancel()
                    return channel.eventLoop.makeCompletedFuture {
                        let name: String? = if case .hostname(let host) = result { host } else { nil }
                        try afterSNI(channel: channel, context: certificates.context(for: name), timeouts: timeouts, peer: peer, loop: loop, listener: listener)
                    }
                }
            )
            try sync.addHandler(sni)
            return
        }
        try sync.addHandler(timeouts)
        guard listener.spec.http2 else {
            try configureHTTP1(channel: channel, timeouts: timeouts, peer: peer, loop: loop, listener: listener)
            return
        }
        try sync.addHandler(
            HTTP2PrefaceDetector { isHTTP2 in
                if isHTTP2 {
                    try configureHTTP2(channel: channel, timeouts: timeouts, peer: peer, loop: loop, listener: listener)
                } else {
                    try configureHTTP1(channel: channel, timeouts: timeouts, peer: peer, loop: loop, listener: listener)
                }
            }
        )
    }

    private static func afterSNI(
        channel: any Channel,
        context: NIOSSLContext,
        timeouts: ConnectionTimeoutHandler,
        peer: IPAddress?,
        loop: LoopContext,
        listener: ListenerBinding
    ) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(NIOSSLServerHandler(context: context))
        try sync.addHandler(timeouts)
        let loopBound = NIOLoopBound((loop, timeouts), eventLoop: channel.eventLoop)
        try sync.addHandler(
            ApplicationProtocolNegotiationHandler { result in
                channel.eventLoop.makeCompletedFuture {
                    let (loop, timeouts) = loopBound.value
                    if case .negotiated("h2") = result, listener.spec.http2 {
                        try configureHTTP2(channel: channel, timeouts: timeouts, peer: peer, loop: loop, listener: listener)
                    } else {
                        try configureHTTP1(channel: channel, timeouts: timeouts, peer: peer, loop: loop, listener: listener)
                    }
                }
            }
        )
    }

    static func configureHTTP1(channel: any Channel, timeouts: ConnectionTimeoutHandler, peer: IPAddress?, loop: LoopContext, listener: ListenerBinding) throws {
        let sync = channel.pipeline.syncOperations
        // The decoder refuses heads far beyond the configured limits while reading them; the
        // exact limits (414 vs 431) are checked on the decoded head by the exchange.
        let limits = loop.plan.settings.headLimits
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.decoderFieldCeiling
        decoderLimits.maxHeaderListSize = limits.decoderBlockCeiling
        decoderLimits.maxHeaderFieldCount = limits.decoderCountCeiling
        // Built by hand rather than with configureHTTPServerPipeline: no pipelining handler (the
        // exchange orders pipelined requests), and no outbound header validation: every header
        // the gateway writes was either parsed by llhttp (which refuses CR, LF and NUL in names
        // and values) or built from the checked config, and a policy that makes headers from
        // other input (JWT claims) validates them itself. Re-validating each response head cost
        // about 7% of the CPU per proxied request.
        try sync.addHandler(HTTPResponseEncoder(configuration: .init()))
        try sync.addHandler(
            // Bytes read past a WebSocket upgrade request go to the tunnel when the decoder leaves.
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes, limitConfiguration: decoderLimits))
        )
        try sync.addHandler(HTTPExchangeHandler(loop: loop, connectionTimeouts: timeouts, peer: peer, listener: listener))
        count(channel, loop: loop, listener: listener, as: .http1)
    }

    /// Counts the connection as open until it closes (per connection, not per request).
    private static func count(_ channel: any Channel, loop: LoopContext, listener: ListenerBinding, as kind: LoopMetrics.ConnectionProtocol) {
        loop.metrics.connectionOpened(listener: listener, localPort: channel.localAddress?.port, protocol: kind)
        let metrics = NIOLoopBound(loop.metrics, eventLoop: channel.eventLoop)
        channel.closeFuture.whenComplete { _ in metrics.value.connectionClosed(listener: listener, protocol: kind) }
    }

    static func configureHTTP2(channel: any Channel, timeouts: ConnectionTimeoutHandler, peer: IPAddress?, loop: LoopContext, listener: ListenerBinding) throws {
        timeouts.useHTTP2()
        let limits = loop.plan.settings.http2
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: limits.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: limits.maxHeaderListSize),
            HTTP2Setting(parameter: .initialWindowSize, value: limits.streamWindow),
        ]
        connection.maximumSequentialContinuationFrames = limits.maxContinuationFrames
        connection.targetWindowSize = limits.connectionWindow
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = limits.streamWindow
        stream.streamResetFrameRateLimit.maximumCount = limits.maxResets
        stream.streamResetFrameRateLimit.windowLength = limits.resetWindow
        let loopBound = NIOLoopBound(loop, eventLoop: channel.eventLoop)
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: connection,
            streamConfiguration: stream,
            streamDelegate: HTTP2StreamTracker(timeouts: timeouts, eventLoop: channel.eventLoop)
        ) { streamChannel in
            streamChannel.eventLoop.makeCompletedFuture {
                let sync = streamChannel.pipeline.syncOperations
                try sync.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                try sync.addHandler(HTTPExchangeHandler(loop: loopBound.value, connectionTimeouts: nil, peer: peer, listener: listener))
            }
        }
        try channel.pipeline.syncOperations.addHandler(HTTP2AbuseHandler())
        count(channel, loop: loop, listener: listener, as: .http2)
    }
}
