/// The series of `/metrics`, from a summed ``MetricsSnapshot`` and the reload record.
enum MetricsRenderer {
    static func render(
        _ snapshot: MetricsSnapshot, reloads: ReloadStatus, health: [HealthCheckRegistry.Status] = [],
        lookups: [String: UpstreamAddressBook.Lookups] = [:]
    ) -> String {
        var out = PrometheusText()
        let routes = snapshot.routes.sorted { $0.key < $1.key }.map { (label: $0.key.isEmpty ? "(none)" : $0.key, values: $0.value) }

        out.family("gateway_requests_total", "counter", "Requests answered, by route, method class and status class.")
        for route in routes {
            for (m, method) in TrafficClass.methodClasses.enumerated() {
                for (s, status) in TrafficClass.statusClasses.enumerated() {
                    let count = route.values.requests[m * TrafficClass.statusClasses.count + s]
                    guard count > 0 else { continue }
                    out.sample("gateway_requests_total", [("route", route.label), ("method", method), ("status", status)], count)
                }
            }
        }
        out.family("gateway_request_duration_seconds", "histogram", "Time from the request head to the end of the response, by route.")
        for route in routes { out.histogram("gateway_request_duration_seconds", [("route", route.label)], route.values.duration) }
        out.family(
            "gateway_upstream_duration_seconds", "histogram", "Time from sending a request upstream to the upstream's response head, by route.")
        for route in routes where route.values.upstream.count > 0 {
            out.histogram("gateway_upstream_duration_seconds", [("route", route.label)], route.values.upstream)
        }
        out.family("gateway_request_body_bytes_total", "counter", "Request body bytes received from clients, by route.")
        for route in routes { out.sample("gateway_request_body_bytes_total", [("route", route.label)], route.values.bytesIn) }
        out.family("gateway_response_body_bytes_total", "counter", "Response body bytes sent to clients, by route.")
        for route in routes { out.sample("gateway_response_body_bytes_total", [("route", route.label)], route.values.bytesOut) }

        out.family("gateway_connections_active", "gauge", "Open client connections, by listener and protocol.")
        for (listener, counts) in snapshot.connections.sorted(by: { $0.key < $1.key }) {
            for kind in LoopMetrics.ConnectionProtocol.allCases {
                out.sample("gateway_connections_active", [("listener", listener), ("protocol", kind.label)], counts[kind.rawValue])
            }
        }

        let upstreams = snapshot.upstreams.sorted { $0.key < $1.key }
        out.family("gateway_upstream_connect_errors_total", "counter", "Failed connects to upstream servers, by upstream.")
        for (name, counts) in upstreams { out.sample("gateway_upstream_connect_errors_total", [("upstream", name)], counts.connectErrors) }
        out.family("gateway_upstream_retries_total", "counter", "Requests tried on another server after a failed connect, by upstream.")
        for (name, counts) in upstreams { out.sample("gateway_upstream_retries_total", [("upstream", name)], counts.retries) }
        out.family("gateway_upstream_idle_connections", "gauge", "Idle keep-alive connections pooled, by upstream.")
        for (name, counts) in upstreams { out.sample("gateway_upstream_idle_connections", [("upstream", name)], counts.idleConnections) }

        let checked = health.sorted { ($0.upstream, $0.server) < ($1.upstream, $1.server) }
        out.family("gateway_upstream_server_healthy", "gauge", "1 while active health checks find the server healthy, else 0, by upstream and server.")
        for status in checked {
            out.sample("gateway_upstream_server_healthy", [("upstream", status.upstream), ("server", status.server)], status.counts.healthy ? 1 : 0)
        }
        out.family("gateway_upstream_health_checks_total", "counter", "Active health probes, by upstream, server and result.")
        for status in checked {
            out.sample("gateway_upstream_health_checks_total", [("upstream", status.upstream), ("server", status.server), ("result", "success")], status.counts.successes)
            out.sample("gateway_upstream_health_checks_total", [("upstream", status.upstream), ("server", status.server), ("result", "failure")], status.counts.failures)
        }

        out.family("gateway_upstream_dns_lookups_total", "counter", "Lookups of upstream server names after start or reload, by upstream and result.")
        for (name, counts) in lookups.sorted(by: { $0.key < $1.key }) {
            out.sample("gateway_upstream_dns_lookups_total", [("upstream", name), ("result", "success")], counts.succeeded)
            out.sample("gateway_upstream_dns_lookups_total", [("upstream", name), ("result", "failure")], counts.failed)
        }

        out.family("gateway_request_errors_total", "counter", "Requests answered with a gateway error, by error code (as in the access log).")
        for entry in snapshot.errors.entries.sorted(by: { $0.key.first < $1.key.first }) {
            out.sample("gateway_request_errors_total", [("error", entry.key.first)], entry.count)
        }
        out.family("gateway_policy_rejections_total", "counter", "Requests refused by a policy, by policy, error code and reason.")
        for entry in snapshot.rejections.entries.sorted(by: { ($0.key.first, $0.key.second, $0.key.third) < ($1.key.first, $1.key.second, $1.key.third) }) {
            out.sample(
                "gateway_policy_rejections_total", [("policy", entry.key.first), ("error", entry.key.second), ("reason", entry.key.third)],
                entry.count)
        }
        out.family("gateway_rate_limit_decisions_total", "counter", "Rate-limit decisions, by limit and decision.")
        for entry in snapshot.rateLimits.entries.sorted(by: { ($0.key.first, $0.key.second) < ($1.key.first, $1.key.second) }) {
            out.sample("gateway_rate_limit_decisions_total", [("limit", entry.key.first), ("decision", entry.key.second)], entry.count)
        }

        out.family("gateway_config_reloads_total", "counter", "Configuration reloads, by result.")
        out.sample("gateway_config_reloads_total", [("result", "ok")], reloads.succeeded)
        out.sample("gateway_config_reloads_total", [("result", "failed")], reloads.failed)
        out.family("gateway_config_generation", "gauge", "Generation of the serving configuration: 1 at start, one more per successful reload.")
        out.sample("gateway_config_generation", [], reloads.generation)
        return out.text
    }
}
