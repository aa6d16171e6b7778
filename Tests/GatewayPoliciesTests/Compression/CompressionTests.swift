import GatewayCore
import GatewayPolicies
import NIOCore
import NIOHTTP1
import Testing

@Suite struct AcceptEncodingTests {
    @Test(arguments: [
        ("gzip", true),
        ("gzip, deflate, br", true),
        ("GZIP;Q=0.8", true),
        ("x-gzip", true),
        ("gzip;q=0", false),
        ("gzip;q=0.000", false),
        ("*", true),
        ("*;q=0", false),
        ("br, *;q=0.1", true),
        ("gzip;q=0, *", false),
        ("identity", false),
        ("deflate, br", false),
        ("gzip;q=0.5, identity;q=1", false),
        ("gzip;q=1, identity;q=0.5", true),
        ("gzip;q=0.5", true),
        ("gzip;q=abc", false),
        ("", false),
    ])
    func negotiation(header: String, gzip: Bool) {
        let headers = header.isEmpty ? HTTPHeaders() : HTTPHeaders([("Accept-Encoding", header)])
        #expect(AcceptEncoding(headers).prefersGzip == gzip, "\(header)")
    }

    @Test func withoutHeaderIsIdentity() {
        #expect(!AcceptEncoding(HTTPHeaders()).prefersGzip)
    }
}

@Suite struct CompressionPolicyTests {
    let policy = CompressionPolicy(config: CompressionConfig(types: ["application/json", "text/*"], minSize: 100, level: 1))

    func apply(
        status: HTTPResponseStatus = .ok, headers: [(String, String)], method: HTTPMethod = .GET,
        acceptEncoding: String? = "gzip"
    ) -> ResponseContext {
        var response = ResponseContext(status: status, headers: HTTPHeaders(headers), isGatewayResponse: false)
        let request = TestRequest.context(method, headers: acceptEncoding.map { [("Accept-Encoding", $0)] } ?? [])
        policy.apply(to: &response, request: request)
        return response
    }

    @Test func compressesAMatchingResponse() {
        let response = apply(headers: [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", "5000"), ("ETag", "\"v1\""), ("Accept-Ranges", "bytes")])
        #expect(response.bodyTransform != nil)
        #expect(response.headers["Content-Encoding"] == ["gzip"])
        #expect(!response.headers.contains(name: "Content-Length"))
        #expect(!response.headers.contains(name: "Accept-Ranges"))
        #expect(response.headers["ETag"] == ["W/\"v1\""])
        #expect(response.headers["Vary"] == ["Accept-Encoding"])
    }

    @Test func typeWildcardAndUnknownLength() {
        let response = apply(headers: [("Content-Type", "text/html")])
        #expect(response.bodyTransform != nil)
    }

    @Test func varyAddedEvenWhenTheClientRefuses() {
        let response = apply(headers: [("Content-Type", "application/json"), ("Vary", "Origin")], acceptEncoding: "gzip;q=0")
        #expect(response.bodyTransform == nil)
        #expect(response.headers[canonicalForm: "Vary"] == ["Origin", "Accept-Encoding"])
        #expect(!response.headers.contains(name: "Content-Encoding"))
    }

    @Test(arguments: [
        ("type not listed", HTTPResponseStatus.ok, [("Content-Type", "image/png")], HTTPMethod.GET),
        ("no type", .ok, [], .GET),
        ("too small", .ok, [("Content-Type", "application/json"), ("Content-Length", "99")], .GET),
        ("already encoded", .ok, [("Content-Type", "application/json"), ("Content-Encoding", "br")], .GET),
        ("no-transform", .ok, [("Content-Type", "application/json"), ("Cache-Control", "public, no-transform")], .GET),
        ("partial", .partialContent, [("Content-Type", "application/json"), ("Content-Range", "bytes 0-9/100")], .GET),
        ("content-range on 200", .ok, [("Content-Type", "application/json"), ("Content-Range", "bytes 0-9/100")], .GET),
        ("no content", .noContent, [("Content-Type", "application/json")], .GET),
        ("not modified", .notModified, [("Content-Type", "application/json")], .GET),
        ("HEAD", .ok, [("Content-Type", "application/json")], .HEAD),
        ("Vary *", .ok, [("Content-Type", "application/json"), ("Vary", "*")], .GET),
    ] as [(String, HTTPResponseStatus, [(String, String)], HTTPMethod)])
    func leavesAlone(reason: String, status: HTTPResponseStatus, headers: [(String, String)], method: HTTPMethod) {
        let response = apply(status: status, headers: headers, method: method)
        #expect(response.bodyTransform == nil, "\(reason)")
        #expect(response.headers["Content-Encoding"] != ["gzip"], "\(reason)")
    }

    @Test func typeMatching() {
        let config = CompressionConfig(types: ["Text/*", "application/json"])
        #expect(config.matches(contentType: "text/css"))
        #expect(config.matches(contentType: "APPLICATION/JSON ; charset=utf-8"))
        #expect(!config.matches(contentType: "application/jsonx"))
        #expect(!config.matches(contentType: "textual/plain"))
        #expect(!config.matches(contentType: "text"))
    }
}

@Suite struct GzipEncoderTests {
    @Test(arguments: [1, 6, 9])
    func roundTripsAStreamedBody(level: Int) throws {
        var expected: [UInt8] = []
        let encoder = GzipEncoder(level: Int32(level), allocator: ByteBufferAllocator())
        var encoded: [UInt8] = []
        for part in 0..<200 {
            let text = String(repeating: "{\"item\":\(part),\"name\":\"value \(part)\"},", count: 40)
            expected += Array(text.utf8)
            let out = encoder.transform(ByteBuffer(string: text))
            encoded += out.readableBytesView
        }
        encoded += encoder.finish().readableBytesView
        #expect(encoded.count < expected.count / 5)
        #expect(encoded.prefix(2) == [0x1f, 0x8b])
        #expect(try Gunzip.decode(encoded) == expected)
    }

    @Test func emptyBodyIsAValidStream() throws {
        let encoder = GzipEncoder(level: 1, allocator: ByteBufferAllocator())
        let encoded = Array(encoder.finish().readableBytesView)
        #expect(try Gunzip.decode(encoded) == [])
        #expect(encoder.finish().readableBytes == 0)
    }

    @Test func incompressibleInputStillRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoder = GzipEncoder(level: 1, allocator: ByteBufferAllocator())
        var encoded: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 16_384, bytes.count)
            encoded += encoder.transform(ByteBuffer(bytes: bytes[offset..<end])).readableBytesView
            offset = end
        }
        encoded += encoder.finish().readableBytesView
        #expect(try Gunzip.decode(encoded) == bytes)
    }
}
