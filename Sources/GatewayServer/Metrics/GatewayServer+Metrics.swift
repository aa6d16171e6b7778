import GatewayCore
import NIOCore

extension GatewayServer {
    /// Every loop's counters added up (each taken on its own loop), off the request path.
    func metricsSnapshot() async -> MetricsSnapshot {
        var total = MetricsSnapshot()
        for bound in contexts.values {
            if let snapshot = try? await bound.eventLoop.submit({ bound.value.metricsSnapshot() }).get() {
                total.add(snapshot)
            }
        }
        return total
    }

    /// `/metrics`: the Prometheus text of every series, label sets bounded by the plan (routes,
    /// listeners, upstreams, limits) and by fixed code vocabularies.
    public func metricsText() async -> String {
        MetricsRenderer.render(
            await metricsSnapshot(), reloads: reloadStatus, documents: documents.status, caches: plan.caches,
            health: healthChecks.statuses(), lookups: addressRefresher.lookups)
    }
}
