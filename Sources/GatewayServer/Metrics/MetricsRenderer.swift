import GatewayCore

/// The series of `/metrics`, from a summed ``MetricsSnapshot`` and the reload record.
enum MetricsRenderer {
    static func render(
        _ snapshot: MetricsSnapshot, reloads: ReloadStatus, documents: [String: RemoteDocumentStatus] = [:],
        caches: [String: any ResponseCacheStore] = [:], health: [HealthCheckRegistry.Status] = [],
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

        out.family("gateway_cache_requests_total", "counter", "Requests on routes with a cache, by route and result.")
        for route in routes where route.values.cache.contains(where: { $0 > 0 }) {
            for result in CacheResult.allCases {
                out.sample("gateway_cache_requests_total", [("route", route.label), ("result", result.label)], route.values.cache[result.rawValue])
            }
        }
        let sortedCaches = caches.values.sorted { $0.name < $1.name }
        out.family("gateway_cache_bytes", "gauge", "Bytes held by a response cache (bodies and headers), by cache.")
        for cache in sortedCaches { out.sample("gateway_cache_bytes", [("cache", cache.name)], cache.storedBytes) }
        out.family("gateway_cache_entries", "gauge", "Keys held by a response cache, by cache.")
        for cache in sortedCaches { out.sample("gateway_cache_entries", [("cache", cache.name)], cache.storedKeys) }

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
        out.family("gateway_upstream_active_connections", "gauge", "Upstream connections carrying a request, by upstream.")
        for (name, counts) in upstreams { out.sample("gateway_upstream_active_connections", [("upstream", name)], counts.activeConnections) }
        out.family("gateway_upstream_pending_connects", "gauge", "Upstream connects in progress, by upstream.")
        for (name, counts) in upstreams { out.sample("gateway_upstream_pending_connects", [("upstream", name)], counts.pendingConnects) }

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
        policyCounts(
            "gateway_policy_rejections_total", "Requests refused by a policy, by policy, error code and reason.", snapshot.rejections, into: &out)
        policyCounts(
            "gateway_policy_shadow_rejections_total",
            "Requests a policy in mode shadow would have refused (and let through), by policy, error code and reason.",
            snapshot.shadowRejections, into: &out)
        out.family("gateway_rate_limit_decisions_total", "counter", "Rate-limit decisions, by limit and decision.")
        for entry in snapshot.rateLimits.entries.sorted(by: { ($0.key.first, $0.key.second) < ($1.key.first, $1.key.second) }) {
            out.sample("gateway_rate_limit_decisions_total", [("limit", entry.key.first), ("decision", entry.key.second)], entry.count)
        }

        out.family(
            "gateway_cache_background_revalidations_total", "counter",
            "Background (stale-while-revalidate) refreshes, by cache and outcome (started, refreshed, replaced, failed).")
        for cache in sortedCaches {
            for (outcome, count) in cache.backgroundRevalidationCounts {
                out.sample("gateway_cache_background_revalidations_total", [("cache", cache.name), ("outcome", outcome)], count)
            }
        }

        out.family(
            "gateway_rate_limit_store_errors_total", "counter",
            "Requests whose rate-limit store failed to decide (on_store_error decided), by limit and store.")
        for entry in snapshot.storeErrors.entries.sorted(by: { ($0.key.first, $0.key.second) < ($1.key.first, $1.key.second) }) {
            out.sample("gateway_rate_limit_store_errors_total", [("limit", entry.key.first), ("store", entry.key.second)], entry.count)
        }

        let sources = documents.sorted { $0.key < $1.key }.map { (label: LogRedaction.url($0.key), status: $0.value) }
        out.family("gateway_jwks_refreshes_total", "counter", "Fetches of JWKS URLs, by source and result.")
        for source in sources {
            out.sample("gateway_jwks_refreshes_total", [("source", source.label), ("result", "ok")], source.status.succeeded)
            out.sample("gateway_jwks_refreshes_total", [("source", source.label), ("result", "failed")], source.status.failed)
        }
        out.family("gateway_jwks_last_success_timestamp_seconds", "gauge", "When a JWKS URL last gave a usable key set (Unix time), by source.")
        for source in sources {
            guard let millis = source.status.lastSuccessMillis else { continue }
            out.sample("gateway_jwks_last_success_timestamp_seconds", [("source", source.label)], String(Double(millis) / 1000))
        }

        out.family("gateway_config_reloads_total", "counter", "Configuration reloads, by result.")
        out.sample("gateway_config_reloads_total", [("result", "ok")], reloads.succeeded)
        out.sample("gateway_config_reloads_total", [("result", "failed")], reloads.failed)
        out.family("gateway_config_generation", "gauge", "Generation of the serving configuration: 1 at start, one more per successful reload.")
        out.sample("gateway_config_generation", [], reloads.generation)
        return out.text
    }

    /// One family of counts by policy, error code and reason.
    private static func policyCounts(_ name: String, _ help: String, _ counts: CodeCounter, into out: inout PrometheusText) {
        out.family(name, "counter", help)
        for entry in counts.entries.sorted(by: { ($0.key.first, $0.key.second, $0.key.third) < ($1.key.first, $1.key.second, $1.key.third) }) {
            out.sample(name, [("policy", entry.key.first), ("error", entry.key.second), ("reason", entry.key.third)], entry.count)
        }
    }
}
