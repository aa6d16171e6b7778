import GatewayCore
import Testing

@Suite struct LogRedactionTests {
    @Test(arguments: [
        ("http://idp.test/jwks.json", "http://idp.test/jwks.json"),
        ("http://idp.test/jwks.json?api_key=s3cret", "http://idp.test/jwks.json?(redacted)"),
        ("http://idp.test/?", "http://idp.test/?(redacted)"),
    ])
    func queriesNeverReachALog(url: String, logged: String) {
        #expect(LogRedaction.url(url) == logged)
    }
}
