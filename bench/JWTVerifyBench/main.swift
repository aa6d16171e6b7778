import Crypto
import Foundation
import GatewayCore
import GatewayPolicies
import NIOCore
import NIOEmbedded
import NIOHTTP1
import _CryptoExtras

// Microseconds per JWT verification, per algorithm, through the gateway's own code:
//   verify      the strict JOSE parse and JWTIssuer.verify (signature and claims)
//   policy      JWTPolicy.evaluate with token_cache off (credentials, parse, verify, forward)
//   cached      JWTPolicy.evaluate on a token cache hit (lookup, claim and route checks)
// Each figure is the median of 5 rounds of about 200 ms each, on one thread.
//
// usage: jwt-verify-bench [ROUND_MS]

let roundMilliseconds = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 200
let now = Int64(Date().timeIntervalSince1970)
let claims = #"{"iss":"https://issuer.test","aud":"api","sub":"user-1","iat":\#(now),"exp":\#(now + 3600),"scope":"read write"}"#

struct Case {
    let algorithm: JWTAlgorithm
    let key: JWTKey
    let sign: ([UInt8]) throws -> [UInt8]
}

let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
let p256 = P256.Signing.PrivateKey()
let ed25519 = Curve25519.Signing.PrivateKey()
let secret = SymmetricKey(size: .bits256)
let cases = [
    Case(algorithm: .ES256, key: JWTKey(.p256(p256.publicKey))) { Array(try p256.signature(for: $0).rawRepresentation) },
    Case(algorithm: .RS256, key: JWTKey(.rsa(rsa.publicKey))) {
        Array(try rsa.signature(for: SHA256.hash(data: $0), padding: .insecurePKCS1v1_5).rawRepresentation)
    },
    Case(algorithm: .EdDSA, key: JWTKey(.ed25519(ed25519.publicKey))) { Array(try ed25519.signature(for: $0)) },
    Case(algorithm: .HS256, key: JWTKey(.hmac(secret))) { Array(HMAC<SHA256>.authenticationCode(for: $0, using: secret)) },
]

func token(_ c: Case) throws -> String {
    let header = #"{"alg":"\#(c.algorithm.rawValue)","typ":"JWT"}"#
    let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
    return input + "." + Base64URL.encode(try c.sign(Array(input.utf8)))
}

/// Median µs per call of `body` over 5 rounds.
func measure(_ body: () -> Bool) -> Double {
    var rounds: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<5 {
        var calls = 0
        let start = clock.now
        let end = start + .milliseconds(roundMilliseconds)
        while clock.now < end {
            for _ in 0..<16 {
                precondition(body(), "verification failed")
            }
            calls += 16
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        rounds.append(seconds * 1e6 / Double(calls))
    }
    return rounds.sorted()[2]
}

let loop = EmbeddedEventLoop()
let route = Route(path: .prefix("/"), action: .respond(StaticResponse(status: 200)))

func request(_ token: String, state: NIOLoopBound<PolicyLoopState>) -> RequestContext {
    let head = HTTPRequestHead(
        version: .http1_1, method: .GET, uri: "/", headers: HTTPHeaders([("Host", "api.test"), ("Authorization", "Bearer \(token)")]))
    guard case .success(let validated) = RequestValidator.validate(head) else { fatalError("invalid request") }
    return RequestContext(
        inbound: head, validated: validated, route: route, clientAddress: nil, requestID: "bench", receivedAt: now,
        upstreamHeaders: head.headers, loopState: state)
}

print("algorithm  verify µs  policy µs  cached µs")
for c in cases {
    let compact = try token(c)
    var issuer = JWTIssuer(
        name: "bench", issuer: "https://issuer.test", audiences: ["api"], algorithms: [c.algorithm],
        staticKeys: JWTKeySet(keys: [c.key]), forwardClaims: [ClaimForward(claim: "sub", header: "X-User")])
    let verify = measure {
        guard let parsed = try? JWTToken(compact: Substring(compact)), case .verified = issuer.verify(parsed, now: now) else { return false }
        return true
    }
    let state = NIOLoopBound(PolicyLoopState(), eventLoop: loop)
    let uncached = JWTPolicy(issuers: [issuer])
    let base = request(compact, state: state)
    let policy = measure {
        var context = base
        if case .proceed = uncached.evaluate(&context, on: loop) { return true }
        return false
    }
    issuer.tokenCache = JWTTokenCacheSettings()
    let cachedPolicy = JWTPolicy(issuers: [issuer])
    let cached = measure {
        var context = base
        if case .proceed = cachedPolicy.evaluate(&context, on: loop) { return true }
        return false
    }
    print(
        c.algorithm.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
        String(format: "%9.2f  %9.2f  %9.2f", verify, policy, cached))
}
