/// The counters of one route on one event loop. Kept by route label across reloads, so a route
/// that survives a reload keeps counting where it was; a request holds its route's counters from
/// routing on, so recording needs no lookup.
final class RouteMetrics {
    let label: String
    var values = RouteMetricValues()

    init(label: String) {
        self.label = label
    }
}

@available(*, unavailable)
extension RouteMetrics: Sendable {}
