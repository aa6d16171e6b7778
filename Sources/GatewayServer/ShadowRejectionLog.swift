import GatewayCore
import Logging
import NIOCore

/// Logs what policies in `mode shadow` would have refused: the first refusal of each kind
/// (policy, error and reason) at once, then at most one line per kind per interval on each event
/// loop, with how many went unlogged in between. The access log's `shadow` field and
/// `gateway_policy_shadow_rejections_total` have every one.
///
/// Not Sendable: one per event loop, touched only there, so it needs no lock.
final class ShadowRejectionLog {
    private let logger: Logger
    private let interval: TimeAmount
    private var lastLogged: [String: (at: NIODeadline, unlogged: Int)] = [:]

    init(logger: Logger, interval: TimeAmount = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    func report(_ rejection: ShadowRejection, requestID: String, route: String?, now: NIODeadline = .now()) {
        let kind = rejection.logValue
        var unlogged = 0
        if let last = lastLogged[kind] {
            guard now - last.at >= interval else {
                lastLogged[kind]?.unlogged += 1
                return
            }
            unlogged = last.unlogged
        }
        lastLogged[kind] = (now, 0)
        var metadata: Logger.Metadata = [
            "request_id": "\(requestID)", "policy": "\(rejection.policy)", "error": "\(rejection.error.code)",
        ]
        if let reason = rejection.error.reason { metadata["reason"] = "\(reason)" }
        if let route { metadata["route"] = "\(route)" }
        if unlogged > 0 { metadata["unlogged"] = "\(unlogged)" }
        logger.notice("shadow policy would have refused the request", metadata: metadata)
    }
}

@available(*, unavailable)
extension ShadowRejectionLog: Sendable {}
