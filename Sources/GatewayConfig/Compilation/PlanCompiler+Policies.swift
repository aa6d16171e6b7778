import GatewayCore
import GatewayPolicies

extension PlanCompiler {
    /// Header names the gateway manages itself; a `security_headers` rule may not touch them.
    static let managedHeaders: Set<String> = [
        "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "te", "trailer", "proxy-connection",
        "x-request-id", "vary", "www-authenticate",
    ]

    static var headLimitDirectives: [(name: String, keyPath: WritableKeyPath<HeadLimits, Int>)] {
        [
            ("headers", \.headerBlockBytes), ("header_count", \.headerCount), ("header_field", \.headerFieldBytes), ("target", \.targetBytes),
        ]
    }

    mutating func compilePolicyDefaults(_ directives: [Directive]) -> PolicyDefaults {
        var defaults = PolicyDefaults()
        if let block = first("limits", in: directives)?.block {
            if let d = first("mode", in: block), mode(in: block) == .shadow {
                error(
                    d.arguments[0].location, "mode", "the top-level limits cannot be shadowed: they are enforced by the parser before routing",
                    hint: "put 'mode shadow;' in a route's 'limits' block; it covers the route's body limit and its tighter header limits")
            }
            for d in block {
                if d.name == "body" {
                    if let bytes = value(d, 0, { ValueParser.size($0) }) { defaults.bodyBytes = bytes }
                } else if let entry = Self.headLimitDirectives.first(where: { $0.name == d.name }), let limit = headLimit(d) {
                    defaults.headLimits[keyPath: entry.keyPath] = limit
                }
            }
        }
        if let block = first("security_headers", in: directives)?.block {
            defaults.securityHeaders = defaults.securityHeaders.merging(compileHeaderRules(block))
        }
        defaults.ipRules = compileIPRules(directives)
        defaults.ipRulesMode = compileIPRulesMode(directives, rules: defaults.ipRules)
        if let block = first("compress", in: directives)?.block {
            defaults.compression = compileCompression(block, base: CompressionConfig())
        }
        compileCaches(directives, into: &defaults)
        compileJWTIssuers(directives, into: &defaults)
        for d in directives where d.name == "cors" {
            guard let name = value(d, 0, ValueParser.name), let block = d.block else { continue }
            if let existing = defaults.cors[name] {
                error(d.arguments[0].location, "cors", "cors policy '\(name)' is already defined at \(existing.location)", hint: "cors policy names must be unique")
                continue
            }
            if let config = compileCORS(block, base: CORSConfig(), at: d) {
                defaults.cors[name] = (config, d.location)
            } else {
                defaults.invalidCORS.insert(name)
            }
        }
        return defaults
    }

    /// The edge policies of a route, in plan order: limits → CORS → IP rules → JWT; CORS →
    /// security headers.
    mutating func compileRoutePolicies(
        _ block: [Directive], defaults: PolicyDefaults, usedCORS: inout Set<String>, usedJWT: inout Set<String>
    ) -> ([any RequestPolicy], [any ResponsePolicy]) {
        let limitsMode = first("limits", in: block)?.block.flatMap { mode(in: $0) } ?? .enforce
        var requestPolicies: [any RequestPolicy] = [RequestLimitsPolicy(limits: compileRouteLimits(block, defaults: defaults), mode: limitsMode)]
        var responsePolicies: [any ResponsePolicy] = []
        if let d = first("cors", in: block), let config = compileRouteCORS(d, defaults: defaults, used: &usedCORS) {
            let cors = CORSPolicy(config: config)
            requestPolicies.append(Self.applying(config.mode, to: cors))
            responsePolicies.append(cors)
        }
        let routeRules = compileIPRules(block)
        let levels = [(defaults.ipRules, defaults.ipRulesMode), (routeRules, compileIPRulesMode(block, rules: routeRules))]
        // Each level keeps its own mode: a route may shadow its own rules, never the inherited ones.
        for mode in [PolicyMode.enforce, .shadow] {
            let rules = levels.filter { $0.1 == mode && !$0.0.rules.isEmpty }.map { $0.0 }
            if !rules.isEmpty { requestPolicies.append(Self.applying(mode, to: IPRulesPolicy(levels: rules))) }
        }
        if let jwt = compileRouteAuth(block, defaults: defaults, used: &usedJWT) { requestPolicies.append(jwt) }
        var headers = defaults.securityHeaders
        if let rules = first("security_headers", in: block)?.block { headers = headers.merging(compileHeaderRules(rules)) }
        responsePolicies.append(SecurityHeadersPolicy(headers: headers))
        return (requestPolicies, responsePolicies)
    }

    /// `policy` as configured: itself, or wrapped to only record its refusals in `mode shadow`.
    static func applying(_ mode: PolicyMode, to policy: any RequestPolicy) -> any RequestPolicy {
        mode == .shadow ? ShadowPolicy(policy) : policy
    }

    /// The `mode enforce | shadow;` of a policy block (or the `ip_rules_mode` of a level:
    /// `directive`); `nil` when absent or invalid (reported).
    func mode(in block: [Directive], directive: String = "mode") -> PolicyMode? {
        first(directive, in: block).flatMap { value($0, 0) { ValueParser.keyword($0, among: ["enforce", "shadow"]) } }.flatMap(PolicyMode.init)
    }

    /// The `ip_rules_mode` of one level (top level or route), which needs rules at that level.
    private mutating func compileIPRulesMode(_ block: [Directive], rules: IPRuleList) -> PolicyMode {
        guard let d = first("ip_rules_mode", in: block) else { return .enforce }
        if rules.rules.isEmpty {
            error(
                d.location, "ip_rules_mode", "'ip_rules_mode' has no 'allow' or 'deny' rules beside it to apply to",
                hint: "a mode covers the rules of its own level; inherited rules keep the top-level mode")
        }
        return mode(in: [d], directive: d.name) ?? .enforce
    }

    /// A route's compression: off, the top-level settings, or those with the route's block
    /// laid over them.
    func compileRouteCompression(_ route: [Directive], defaults: PolicyDefaults) -> CompressionConfig? {
        guard let d = first("compress", in: route) else { return defaults.compression }
        if d.arguments.first?.text == "off" { return nil }
        return compileCompression(d.block ?? [], base: defaults.compression ?? CompressionConfig())
    }

    private func compileCompression(_ block: [Directive], base: CompressionConfig) -> CompressionConfig {
        var config = base
        for d in block {
            switch d.name {
            case "types": config.types = d.arguments.indices.compactMap { value(d, $0, ValueParser.mediaType)?.lowercased() }
            case "min_size": if let size = value(d, 0, { ValueParser.size($0) }) { config.minSize = size }
            case "level": if let level = value(d, 0, { ValueParser.integer($0, in: 1...9) }) { config.level = level }
            default: break
            }
        }
        return config
    }

    private func headLimit(_ d: Directive) -> Int? {
        d.name == "header_count" ? value(d, 0, { ValueParser.integer($0, in: 1...10_000) }) : value(d, 0, ValueParser.positiveSize)
    }

    /// A route's limits: its own body limit or the inherited one; head limits only when the route
    /// sets any, and then never above the top-level ones, which were enforced before routing.
    private mutating func compileRouteLimits(_ route: [Directive], defaults: PolicyDefaults) -> RequestLimits {
        var limits = RequestLimits(bodyBytes: defaults.bodyBytes)
        guard let block = first("limits", in: route)?.block else { return limits }
        var head = defaults.headLimits
        var tightened = false
        for d in block {
            if d.name == "body" {
                if let bytes = value(d, 0, { ValueParser.size($0) }) { limits.bodyBytes = bytes }
                continue
            }
            guard let entry = Self.headLimitDirectives.first(where: { $0.name == d.name }), let limit = headLimit(d) else { continue }
            let ceiling = defaults.headLimits[keyPath: entry.keyPath]
            if limit > ceiling {
                let shown = d.name == "header_count" ? String(ceiling) : ValueParser.format(bytes: ceiling)
                error(
                    d.arguments[0].location, d.name, "a route cannot raise '\(d.name)' above the top-level limit \(shown)",
                    hint: "header limits are enforced before routing; raise the top-level 'limits' instead")
                continue
            }
            head[keyPath: entry.keyPath] = limit
            tightened = true
        }
        if tightened { limits.head = head }
        return limits
    }

    private mutating func compileHeaderRules(_ block: [Directive]) -> SecurityHeaders {
        var layer = SecurityHeaders()
        for d in block {
            let names = d.name == "remove" ? Array(d.arguments.indices) : [0]
            for index in names {
                guard let name = value(d, index, ValueParser.headerName) else { continue }
                if Self.managedHeaders.contains(name.lowercased()) {
                    error(d.arguments[index].location, d.name, "'\(name)' is managed by the gateway and cannot be configured here")
                    continue
                }
                switch d.name {
                case "remove": layer.merge(HeaderRule(name: name, mode: .remove))
                default:
                    guard let mode = HeaderRule.Mode(rawValue: d.name), let text = value(d, 1, ValueParser.headerValue) else { continue }
                    layer.merge(HeaderRule(name: name, mode: mode, values: [text]))
                }
            }
        }
        return layer
    }

    private func compileIPRules(_ block: [Directive]) -> IPRuleList {
        var rules: [IPRule] = []
        for d in block where d.name == "allow" || d.name == "deny" {
            for index in d.arguments.indices {
                guard let cidr = value(d, index, ValueParser.cidrOrAll) else { continue }
                rules.append(IPRule(allow: d.name == "allow", block: cidr))
            }
        }
        return IPRuleList(rules: rules)
    }

    private mutating func compileRouteCORS(_ d: Directive, defaults: PolicyDefaults, used: inout Set<String>) -> CORSConfig? {
        var base = CORSConfig()
        if let name = value(d, 0, ValueParser.name) {
            guard let named = defaults.cors[name] else {
                if defaults.invalidCORS.contains(name) { return nil }
                let defined = (Array(defaults.cors.keys) + defaults.invalidCORS).sorted()
                let hint = defined.isEmpty ? "no cors policy is defined; add 'cors \(name) { origins …; }' at the top level" : Suggestion.hint(for: name, among: defined)
                error(d.arguments[0].location, "cors", "unknown cors policy '\(name)'", hint: hint)
                return nil
            }
            used.insert(name)
            base = named.config
            guard d.block != nil else { return base }
        }
        guard let block = d.block else {
            error(d.location, "cors", "'cors' needs a policy name or a block", hint: "usage: cors NAME; | cors [NAME] { … }")
            return nil
        }
        return compileCORS(block, base: base, at: d)
    }

    /// A CORS policy: `base` extended by `block` (lists add up, single values replace).
    private mutating func compileCORS(_ block: [Directive], base: CORSConfig, at d: Directive) -> CORSConfig? {
        var config = base
        for item in block {
            switch item.name {
            case "origins":
                for i in item.arguments.indices {
                    if let origin = value(item, i, ValueParser.origin), !config.origins.contains(origin) { config.origins.append(origin) }
                }
            case "methods":
                for method in compileMethods(item).sorted() where !config.methods.contains(method) { config.methods.append(method) }
            case "allow_headers", "expose_headers":
                let names = item.arguments.indices.compactMap { i in item.arguments[i].text == "*" ? "*" : value(item, i, ValueParser.headerName) }
                for name in names {
                    if item.name == "allow_headers", !config.allowHeaders.contains(name) { config.allowHeaders.append(name) }
                    if item.name == "expose_headers", !config.exposeHeaders.contains(name) { config.exposeHeaders.append(name) }
                }
            case "credentials":
                if let flag = value(item, 0, { ValueParser.keyword($0, among: ["on", "off"]) }) { config.credentials = flag == "on" }
            case "mode":
                if let mode = mode(in: [item]) { config.mode = mode }
            case "max_age":
                if let amount = value(item, 0, { ValueParser.duration($0, allowZero: true) }) {
                    config.maxAgeSeconds = Int(amount.nanoseconds / 1_000_000_000)
                }
            default: break
            }
        }
        if config.origins.isEmpty {
            // Invalid origins were reported one by one already.
            if block.contains(where: { $0.name == "origins" }) { return nil }
            error(d.location, "cors", "cors policy allows no origin", hint: "add 'origins https://app.example.com;'")
            return nil
        }
        if config.combinesWildcardWithCredentials {
            let at = first("credentials", in: block)?.location ?? d.location
            error(
                at, "cors", "'*' cannot be combined with 'credentials on'",
                hint: "list the origins (and headers) exactly; browsers refuse a wildcard on credentialed requests")
            return nil
        }
        return config
    }
}
