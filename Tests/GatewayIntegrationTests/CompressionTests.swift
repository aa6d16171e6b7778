import Foundation
import GatewayTestSupport
import NIOHTTP1
import Testing

/// gzip through the real gateway, checked with curl (which decodes what it receives).
@Suite struct CompressionTests {
    static let json = "[" + (0..<600).map { "{\"id\":\($0),\"name\":\"item \($0)\"}" }.joined(separator: ",") + "]"

    static let responder: TestUpstream.Responder = { request in
        switch request.head.uri {
        case "/range":
            return .init(status: .partialContent, headers: [("Content-Type", "application/json"), ("Content-Range", "bytes 0-99/20000")], body: String(json.prefix(100)))
        case "/no-transform":
            return .init(headers: [("Content-Type", "application/json"), ("Cache-Control", "no-transform")], body: json)
        case "/encoded":
            return .init(headers: [("Content-Type", "application/json"), ("Content-Encoding", "br")], body: json)
        case "/image":
            return .init(headers: [("Content-Type", "image/png")], body: json)
        case "/large":
            return .init(headers: [("Content-Type", "text/plain")], body: String(repeating: json, count: 200))
        default:
            return .init(headers: [("Content-Type", "application/json"), ("ETag", "\"abc\"")], body: json)
        }
    }

    static let config = """
        compress { types application/json text/*; min_size 100; }
        route /plain/* { proxy app; strip_prefix /plain; compress off; }
        route /static { respond 200 "\(String(repeating: "static text ", count: 200))"; }
        route /* { proxy app; }

        """

    func url(_ gateway: TestGateway, _ path: String) -> String { "http://127.0.0.1:\(gateway.port)\(path)" }

    func headers(_ head: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    @Test func gzipWhenAcceptedAndBytesMatch() async throws {
        try await withConfiguredGateway(upstream: Self.responder, { _ in Self.config }) { _, gateway, _ in
            let out = try await Curl.run(["--compressed", url(gateway, "/items")])
            let h = headers(out.head)
            #expect(h["content-encoding"] == "gzip")
            #expect(h["content-length"] == nil)
            #expect(h["vary"] == "Accept-Encoding")
            #expect(h["etag"] == "W/\"abc\"")
            #expect(out.body == Self.json)
        }
    }

    @Test func identityWhenRefusedOrNotAsked() async throws {
        try await withConfiguredGateway(upstream: Self.responder, { _ in Self.config }) { _, gateway, _ in
            for acceptEncoding in ["gzip;q=0", "identity", "br", "*;q=0"] {
                let out = try await Curl.run(["-H", "Accept-Encoding: \(acceptEncoding)", url(gateway, "/items")])
                let h = headers(out.head)
                #expect(h["content-encoding"] == nil, "\(acceptEncoding)")
                #expect(h["content-length"] == String(Self.json.utf8.count), "\(acceptEncoding)")
                #expect(h["vary"] == "Accept-Encoding", "\(acceptEncoding)")
                #expect(h["etag"] == "\"abc\"")
                #expect(out.body == Self.json)
            }
            let none = try await Curl.run([url(gateway, "/items")])
            #expect(headers(none.head)["content-encoding"] == nil)
        }
    }

    @Test func leavesAloneWhatMustNotBeCompressed() async throws {
        try await withConfiguredGateway(upstream: Self.responder, { _ in Self.config }) { _, gateway, _ in
            for path in ["/range", "/no-transform", "/encoded", "/image", "/plain/items"] {
                let out = try await Curl.run(["-H", "Accept-Encoding: gzip", url(gateway, path)])
                let h = headers(out.head)
                #expect(h["content-encoding"] != "gzip", "\(path)")
                #expect(h["content-length"] != nil, "\(path)")
            }
            let head = try await Curl.run(["-I", "-H", "Accept-Encoding: gzip", url(gateway, "/items")])
            #expect(headers(head.head)["content-encoding"] == nil)
            #expect(headers(head.head)["content-length"] == String(Self.json.utf8.count))
        }
    }

    @Test func streamsALargeBody() async throws {
        try await withConfiguredGateway(upstream: Self.responder, { _ in Self.config }) { _, gateway, _ in
            let out = try await Curl.run(["--compressed", url(gateway, "/large")], maxTime: 60)
            #expect(headers(out.head)["content-encoding"] == "gzip")
            #expect(out.body == String(repeating: Self.json, count: 200))
        }
    }

    @Test func gatewayMadeResponsesToo() async throws {
        try await withConfiguredGateway(upstream: Self.responder, { _ in Self.config }) { _, gateway, _ in
            let out = try await Curl.run(["--compressed", url(gateway, "/static")])
            #expect(headers(out.head)["content-encoding"] == "gzip")
            #expect(out.body == String(repeating: "static text ", count: 200))
        }
    }
}
