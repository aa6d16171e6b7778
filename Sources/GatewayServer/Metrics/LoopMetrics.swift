import GatewayCore
import GatewayUpstream
import NIOCore

/// The metrics one event loop records, touched only on that loop: plain integer additions, no
/// lock, no atomics. Label handles are resolved when a plan is installed (route identity to its
/// counters); a request picks its route's counters once when it is routed. `/metrics` takes a
/// ``snapshot()`` on every loop and adds them up.
final class LoopMetrics {
    /// Client protocols connections are counted by.
    enum ConnectionProtocol: Int, CaseIterable {
        case http1 = 0
        case http2 = 1

        var label: String { self == .http1 ? "http/1.1" : "h2" }
    }

    private var byLabel: [String: RouteMetrics] = [:]
    private var byRoute: [ObjectIdentifier: RouteMetrics] = [:]
    /// Requests answered before a route matched (400, 404, 405, 414, 431).
    let unrouted = RouteMetrics(label: "")
    private var rejections = CodeCounter()
    private var shadowRejections = CodeCounter()
    private var errors = CodeCounter()
    private var rateLimits = CodeCounter()
    /// Requests whose rate-limit store failed, by limit and store kind.
    private var storeErrors = CodeCounter()
    /// Open connections by listener id: its address and the counts by protocol.
    private var connections: [Int: (label: String, open: [Int])] = [:]
    /// Counts of upstream pools a reload retired, so that totals never go down.
    private var retiredUpstreams: [String: UpstreamCounts] = [:]

    /// Resolves the counters of every route of `plan`, keeping those of routes (by label) that
    /// an earlier plan had.
    func install(_ plan: GatewayPlan) {
        var resolved: [ObjectIdentifier: RouteMetrics] = [:]
        for route in plan.routes.routes {
            let label = route.name
            let metrics = byLabel[label] ?? RouteMetrics(label: label)
            byLabel[label] = metrics
            resolved[ObjectIdentifier(route)] = metrics
        }
        byRoute = resolved
    }

    /// The counters of a route of the installed plan.
    func metrics(for route: Route) -> RouteMetrics? { byRoute[ObjectIdentifier(route)] }

    /// Counts one finished request.
    func record(_ request: ActiveRequest) {
        let route = request.routeMetrics ?? unrouted
        let index = TrafficClass.methodClass(request.head.method) * TrafficClass.statusClasses.count
            + TrafficClass.statusClass(request.status)
        route.values.requests[index] += 1
        route.values.duration.record(nanos: (NIODeadline.now() - request.start).nanoseconds)
        if let upstream = request.proxy?.firstByteNanos { route.values.upstream.record(nanos: upstream) }
        route.values.bytesIn += request.bytesIn
        route.values.bytesOut += request.bytesOut
        if let result = request.cacheResult { route.values.cache[result.rawValue] += 1 }
        if let code = request.errorCode {
            errors.increment(CodeCounter.Key(code, ""))
            if let policy = request.decidedBy {
                rejections.increment(CodeCounter.Key(policy, code, request.errorReason ?? ""))
            }
        }
        for rejection in request.shadowRejections {
            shadowRejections.increment(CodeCounter.Key(rejection.policy, rejection.error.code, rejection.error.reason ?? ""))
        }
        if let statuses = request.context?.rateLimits {
            for status in statuses {
                rateLimits.increment(CodeCounter.Key(status.spec.name, status.reason.rawValue))
                if status.reason.isStoreError { storeErrors.increment(CodeCounter.Key(status.spec.name, status.spec.store.rawValue)) }
            }
        }
    }

    /// `localPort` names a listener configured with port 0 by the port it really got.
    func connectionOpened(listener: ListenerBinding, localPort: Int?, protocol kind: ConnectionProtocol) {
        var entry = connections[listener.id] ?? (Self.label(listener.spec, localPort: localPort), [Int](repeating: 0, count: ConnectionProtocol.allCases.count))
        entry.open[kind.rawValue] += 1
        connections[listener.id] = entry
    }

    static func label(_ spec: ListenerSpec, localPort: Int?) -> String {
        guard spec.port == 0, let localPort else { return spec.displayAddress }
        var bound = spec
        bound.port = localPort
        return bound.displayAddress
    }

    func connectionClosed(listener: ListenerBinding, protocol kind: ConnectionProtocol) {
        connections[listener.id]?.open[kind.rawValue] -= 1
    }

    /// Keeps the counts of a pool a reload drops.
    func retire(_ pool: UpstreamPool) {
        retiredUpstreams[pool.spec.name, default: UpstreamCounts()].add(
            UpstreamCounts(connectErrors: pool.connectErrors, retries: pool.retries))
    }

    /// The counts now; `pools` are the live upstream pools of the loop.
    func snapshot(pools: [UpstreamPool]) -> MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        for metrics in byLabel.values { snapshot.routes[metrics.label] = metrics.values }
        snapshot.routes[unrouted.label] = unrouted.values
        snapshot.rejections = rejections
        snapshot.shadowRejections = shadowRejections
        snapshot.errors = errors
        snapshot.rateLimits = rateLimits
        snapshot.storeErrors = storeErrors
        for entry in connections.values {
            var sum = snapshot.connections[entry.label] ?? [Int](repeating: 0, count: ConnectionProtocol.allCases.count)
            for i in sum.indices { sum[i] += entry.open[i] }
            snapshot.connections[entry.label] = sum
        }
        snapshot.upstreams = retiredUpstreams
        for pool in pools {
            snapshot.upstreams[pool.spec.name, default: UpstreamCounts()].add(
                UpstreamCounts(
                    connectErrors: pool.connectErrors, retries: pool.retries, idleConnections: pool.idleConnections,
                    activeConnections: pool.activeConnections, pendingConnects: pool.pendingConnects))
        }
        return snapshot
    }
}

@available(*, unavailable)
extension LoopMetrics: Sendable {}
