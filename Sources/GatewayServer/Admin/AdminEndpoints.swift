import GatewayConfig
import NIOCore
import NIOHTTP1

/// The admin endpoints of one running gateway: what each ``AdminRoute`` answers.
struct AdminEndpoints: Sendable {
    let server: GatewayServer

    /// The token of the plan serving now, so a reload that changes it applies at once.
    var token: String? { server.plan.settings.admin?.token }

    func answer(_ route: AdminRoute, on loop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        switch route {
        case .healthz:
            return loop.makeSucceededFuture(.text(.ok, "ok\n"))
        case .readyz:
            return loop.makeSucceededFuture(server.readiness())
        case .config:
            return loop.makeSucceededFuture(.text(.ok, PlanDump.render(server.plan)))
        case .configOutline:
            let outline = RunningPlanOutline(generation: server.reloadStatus.generation, plan: PlanOutline(server.plan))
            do {
                return loop.makeSucceededFuture(.json(.ok, try outline.json()))
            } catch {
                return loop.makeSucceededFuture(.json(.internalServerError, #"{"error":\#(AdminResponse.quoted("\(error)"))}"#))
            }
        case .metrics:
            let promise = loop.makePromise(of: AdminResponse.self)
            promise.completeWithTask {
                AdminResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: await server.metricsText())
            }
            return promise.futureResult
        case .reload:
            let promise = loop.makePromise(of: AdminResponse.self)
            promise.completeWithTask {
                switch await server.reload() {
                case .reloaded(let generation, let warnings):
                    let list = warnings.map { AdminResponse.quoted($0.description) }.joined(separator: ",")
                    return .json(.ok, #"{"status":"reloaded","generation":\#(generation),"warnings":[\#(list)]}"#)
                case .refused(let generation, let report):
                    return .json(
                        .unprocessableEntity,
                        #"{"status":"refused","generation":\#(generation),"errors":\#(AdminResponse.quoted(report))}"#)
                }
            }
            return promise.futureResult
        case .cachePurge(let query):
            return loop.makeSucceededFuture(purge(query: query))
        case .unauthorized:
            var response = AdminResponse.json(.unauthorized, #"{"error":"unauthorized"}"#)
            response.headers = [("WWW-Authenticate", #"Bearer realm="gateway-admin""#)]
            return loop.makeSucceededFuture(response)
        case .notFound:
            return loop.makeSucceededFuture(
                .json(.notFound, #"{"error":"not_found","endpoints":["/healthz","/readyz","/metrics","/config","/config/outline","/reload","/cache/purge"]}"#))
        case .methodNotAllowed(let allow):
            var response = AdminResponse.json(.methodNotAllowed, #"{"error":"method_not_allowed"}"#)
            response.headers = [("Allow", allow)]
            return loop.makeSucceededFuture(response)
        }
    }

    /// `POST /cache/purge`: removes what the query names from every cache of the running plan
    /// (or the one `cache=` names) and says how many keys each lost.
    private func purge(query: String) -> AdminResponse {
        let request: CachePurgeRequest
        switch CachePurgeRequest.parse(query: Substring(query)) {
        case .success(let parsed): request = parsed
        case .failure(let invalid):
            return .json(.badRequest, #"{"error":"bad_request","message":\#(AdminResponse.quoted(invalid.message))}"#)
        }
        var caches = server.plan.caches
        if let name = request.cache {
            guard let cache = caches[name] else {
                return .json(.notFound, #"{"error":"unknown_cache","cache":\#(AdminResponse.quoted(name))}"#)
            }
            caches = [name: cache]
        }
        var total = 0
        var each: [String] = []
        for (name, cache) in caches.sorted(by: { $0.key < $1.key }) {
            let removed = request.exactURI.map { cache.purge(url: $0) } ?? cache.purge(where: request.matches)
            total += removed
            each.append("\(AdminResponse.quoted(name)):\(removed)")
        }
        return .json(.ok, #"{"purged":\#(total),"caches":{\#(each.joined(separator: ","))}}"#)
    }
}
