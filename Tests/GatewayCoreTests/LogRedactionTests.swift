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

@Suite struct LogRedactionKeyTests {
    @Test(arguments: [
        ("authorization", true), ("Proxy-Authorization", true), ("cookie", true), ("Set-Cookie", true), ("password", true),
        ("redis_password", true), ("passwd", true), ("access_token", true), ("client_secret", true), ("X-API-Key", true),
        ("apikey", true), ("credentials", true), ("request_id", false), ("upstream", false), ("error", false), ("url", false),
    ])
    func secretLookingKeysAreKnown(key: String, secret: Bool) {
        #expect(LogRedaction.isSecretKey(key) == secret)
    }

    @Test(arguments: [("Bearer abc", true), ("bearer abc", true), ("Basic dXNlcg==", true), ("Bearerless", false), ("ok", false)])
    func credentialValuesAreKnown(value: String, secret: Bool) {
        #expect(LogRedaction.isSecretValue(value) == secret)
    }
}
