import GatewayCore
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// Builds request contexts the way the exchange does (validation included), for policy tests.
enum TestRequest {
    static let loop = EmbeddedEventLoop()
    static let route = Route(path: .prefix("/"), action: .respond(StaticResponse(status: 200)))

    static func head(_ method: HTTPMethod = .GET, _ uri: String = "/", headers: [(String, String)] = []) -> HTTPRequestHead {
        var all = HTTPHeaders([("Host", "api.example.com")])
        all.add(contentsOf: headers)
        return HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: all)
    }

    static func context(
        _ method: HTTPMethod = .GET,
        _ uri: String = "/",
        headers: [(String, String)] = [],
        client: String? = "192.0.2.10",
        at time: Int64 = 1_700_000_000,
        loopState: NIOLoopBound<PolicyLoopState>? = nil
    ) -> RequestContext {
        let head = head(method, uri, headers: headers)
        let validated = try! RequestValidator.validate(head).get()
        return RequestContext(
            inbound: head, validated: validated, route: route, clientAddress: client.flatMap { IPAddress($0) },
            requestID: "test-request", receivedAt: time, upstreamHeaders: head.headers, loopState: loopState)
    }
}

extension PolicyDecision {
    var rejection: GatewayError? {
        if case .reject(let error) = self { return error }
        return nil
    }

    var response: GatewayResponse? {
        if case .respond(let response) = self { return response }
        return nil
    }

    var proceeds: Bool {
        if case .proceed = self { return true }
        return false
    }
}
