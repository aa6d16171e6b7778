import GatewayConfig
import GatewayCore
import NIOCore
import Testing

@Suite struct ConfigLoaderTests {
    static func load(_ text: String, environment: [String: String] = [:]) -> ConfigLoadResult {
        Fixtures.loader(files: ["g.conf": text], environment: environment).load(path: "g.conf")
    }

    @Test func defaultsMatchTheCoreDefaults() throws {
        let plan = try #require(Self.load("listen 8080;").plan)
        #expect(plan.settings == ServerSettings())
        #expect(plan.listeners == [ListenerSpec(host: "", port: 8080, location: GatewayCore.SourceLocation(file: "g.conf", line: 1, column: 1))])
        #expect(plan.routes.routes.isEmpty)
        #expect(plan.sourceFiles == ["g.conf"])
    }

    @Test func locationsAreFilledAndRoutesKeepConfigOrder() throws {
        let plan = try #require(
            Self.load(
                """
                listen 1;
                upstream u { server 10.0.0.1:80; }
                route /z { proxy u; }
                route /a/* { respond 200; }
                  route /m { redirect 302 /a/; }
                """
            ).plan)
        #expect(plan.routes.routes.map(\.path.description) == ["/z", "/a/*", "/m"])
        #expect(plan.routes.routes.map(\.location?.line) == [3, 4, 5])
        #expect(plan.routes.routes.last?.location?.column == 3)
        #expect(plan.upstreams["u"]?.location == GatewayCore.SourceLocation(file: "g.conf", line: 2, column: 1))
        #expect(plan.listeners.first?.location?.line == 1)
    }

    @Test func upstreamSettingsAreCompiled() throws {
        let plan = try #require(
            Self.load(
                """
                listen 1;
                upstream u {
                  server 10.0.0.1:80 weight=4; server [::1]:81;
                  balance least_conn; connect_timeout 250ms; first_byte_timeout 1m; idle_timeout 2m;
                  keepalive 7; keepalive_timeout 1m30s; max_connect_attempts 5;
                }
                route / { proxy u; }
                """
            ).plan)
        let u = try #require(plan.upstreams["u"])
        #expect(u.servers == [UpstreamServer(host: "10.0.0.1", port: 80, weight: 4), UpstreamServer(host: "::1", port: 81)])
        #expect(u.balance == .leastConnections)
        #expect(u.connectTimeout == .milliseconds(250))
        #expect(u.firstByteTimeout == .minutes(1))
        #expect(u.idleTimeout == .minutes(2))
        #expect(u.keepaliveConnections == 7)
        #expect(u.keepaliveTimeout == .seconds(90))
        #expect(u.maxConnectAttempts == 5)
    }

    @Test func methodsAreUpperCasedAndGetBringsHead() throws {
        let plan = try #require(Self.load("listen 1; route / { methods get Post; respond 200; }").plan)
        #expect(plan.routes.routes.first?.methods == ["GET", "HEAD", "POST"])
    }

    @Test func routesWithDifferentMethodsOrHostsAreNotDuplicates() {
        let result = Self.load(
            """
            listen 1;
            route /a { methods GET; respond 200; }
            route /a { methods POST; respond 200; }
            route /a { host x.test; respond 200; }
            route /a { host *.x.test; respond 200; }
            route /a/* { respond 200; }
            """)
        #expect(result.plan?.routes.routes.count == 5, "\(result.report)")
    }

    @Test func warningsDoNotFail() throws {
        let result = Self.load("listen 1; upstream u { server 10.0.0.1:80; }")
        guard case .success(_, let warnings) = result else {
            Issue.record("should load: \(result.report)")
            return
        }
        #expect(warnings.map(\.severity) == [.warning])
        #expect(warnings.first?.description == "g.conf:1:11: warning: upstream 'u' is not used by any route [in upstream]; remove it, or 'proxy u;' in a route")
    }

    @Test func allProblemsAreReportedAtOnce() {
        let result = Self.load(
            """
            liten 1;
            worker_threads 0;
            route /a { proxy nowhere; }
            """)
        #expect(result.plan == nil)
        #expect(result.diagnostics.count == 4, "\(result.report)")
    }

    @Test func diagnosticRendering() {
        let at = GatewayCore.SourceLocation(file: "f.conf", line: 3, column: 7)
        #expect(Diagnostic(at: at, in: "listen", "bad", hint: "did you mean 'x'?").description == "f.conf:3:7: error: bad [in listen]; did you mean 'x'?")
        #expect(Diagnostic(.warning, at: at, "meh").description == "f.conf:3:7: warning: meh")
        #expect(Diagnostic(at: nil, "no file").description == "error: no file")
    }

    @Test func loaderIsSendableAcrossTasks() async {
        let loader = Fixtures.loader(files: ["g.conf": "listen 1;"])
        let ok = await Task.detached { loader.load(path: "g.conf").plan != nil }.value
        #expect(ok)
    }
}
