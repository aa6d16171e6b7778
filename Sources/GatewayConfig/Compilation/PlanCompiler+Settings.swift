import GatewayCore
import NIOCore

extension PlanCompiler {
    mutating func compileSettings(_ directives: [Directive]) -> ServerSettings {
        var settings = ServerSettings()
        if let d = first("worker_threads", in: directives), d.arguments.first?.text != "auto" {
            settings.workerThreads = value(d) { ValueParser.integer($0, in: 1...1024) }
        }
        settings.trustedProxies = directives.filter { $0.name == "trusted_proxies" }.flatMap { d in
            d.arguments.indices.compactMap { value(d, $0, ValueParser.cidr) }
        }
        if let d = first("server_header", in: directives), let text = d.arguments.first?.text {
            settings.serverHeader = text == "off" ? nil : (value(d, 0, ValueParser.headerValue) ?? settings.serverHeader)
        }
        if let d = first("access_log", in: directives), let text = d.arguments.first?.text, !text.isEmpty {
            switch text {
            case "off": settings.accessLog = .off
            case "stdout": settings.accessLog = .stdout
            default: settings.accessLog = .file(text)
            }
            if let block = d.block, let fields = first("fields", in: block) {
                settings.accessLogFields = compileAccessLogFields(fields)
            }
        }
        if let block = first("log", in: directives)?.block {
            settings.logging = compileLogging(block)
        }
        if let d = first("drain_timeout", in: directives), let amount = value(d, 0, { ValueParser.duration($0, allowZero: true) }) {
            settings.drainTimeout = amount
        }
        if let block = first("timeouts", in: directives)?.block {
            func duration(_ name: String) -> TimeAmount? { first(name, in: block) { ValueParser.duration($0) } }
            if let v = duration("request_head") { settings.timeouts.requestHead = v }
            if let v = duration("body_idle") { settings.timeouts.bodyIdle = v }
            if let v = duration("keepalive_idle") { settings.timeouts.keepaliveIdle = v }
            if let v = duration("send_idle") { settings.timeouts.sendIdle = v }
        }
        settings.certificateCheckInterval = offOrDuration("certificate_check_interval", in: directives, default: settings.certificateCheckInterval)
        settings.resolveInterval = offOrDuration("resolve_interval", in: directives, default: settings.resolveInterval)
        if let block = first("http2", in: directives)?.block {
            settings.http2 = compileHTTP2(block)
        }
        return settings
    }
}

extension PlanCompiler {
    /// The named fields in order; a field named twice is reported once and written once.
    mutating func compileAccessLogFields(_ d: Directive) -> [AccessLogField] {
        var fields: [AccessLogField] = []
        for argument in d.arguments {
            guard let field = AccessLogField(rawValue: argument.text) else { continue }
            if fields.contains(field) {
                error(argument.location, "fields", "access log field '\(field.rawValue)' is listed twice")
                continue
            }
            fields.append(field)
        }
        return fields
    }

    /// `level LEVEL;` sets every subsystem, `level SUBSYSTEM LEVEL;` one of them.
    mutating func compileLogging(_ block: [Directive]) -> LogSettings {
        var logging = LogSettings()
        if let format = first("format", in: block)?.arguments.first.flatMap({ LogFormat(rawValue: $0.text) }) {
            logging.format = format
        }
        var defaultSet = false
        for d in block where d.name == "level" {
            let texts = d.arguments.map(\.text)
            if texts.count == 1 {
                // A word that is neither a level nor a subsystem was reported by validation.
                guard let level = LogLevel(rawValue: texts[0]) else {
                    if LogSubsystem(rawValue: texts[0]) != nil {
                        error(
                            d.arguments[0].location, "level", "'\(texts[0])' is a subsystem, not a level",
                            hint: "expected 'level \(texts[0]) LEVEL;' or 'level LEVEL;'")
                    }
                    continue
                }
                if defaultSet { error(d.location, "level", "the default log level is set twice") }
                defaultSet = true
                logging.level = level
            } else if texts.count == 2 {
                guard let subsystem = LogSubsystem(rawValue: texts[0]) else {
                    if LogLevel(rawValue: texts[0]) != nil {
                        error(
                            d.arguments[0].location, "level", "'\(texts[0])' is a level, not a subsystem",
                            hint: "expected 'level SUBSYSTEM LEVEL;' with a subsystem among: " + LogSubsystem.names.joined(separator: ", "))
                    }
                    continue
                }
                guard let level = LogLevel(rawValue: texts[1]) else { continue }
                if logging.levels[subsystem] != nil { error(d.location, "level", "the log level of '\(subsystem.rawValue)' is set twice") }
                logging.levels[subsystem] = level
            }
        }
        return logging
    }

    func compileHTTP2(_ block: [Directive]) -> HTTP2Limits {
        var limits = HTTP2Limits()
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            first(name, in: block) { ValueParser.integer($0, in: range) }
        }
        func size(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            first(name, in: block) { ValueParser.size($0, in: range) }
        }
        if let v = integer("max_concurrent_streams", 1...10_000) { limits.maxConcurrentStreams = v }
        if let v = size("max_header_list_size", 1024...(1 << 20)) { limits.maxHeaderListSize = v }
        if let v = size("stream_window", 65_535...Int(Int32.max)) { limits.streamWindow = v }
        if let v = size("connection_window", 65_535...Int(Int32.max)) { limits.connectionWindow = v }
        if let d = first("max_resets", in: block),
            let count = value(d, 0, { ValueParser.integer($0, in: 1...100_000) }),
            let window = value(d, 1, { ValueParser.duration($0) })
        {
            limits.maxResets = count
            limits.resetWindow = window
        }
        if let v = integer("max_continuation_frames", 1...1000) { limits.maxContinuationFrames = v }
        return limits
    }
}

extension PlanCompiler {
    /// The value of a top-level `NAME off | DURATION;`: `nil` for off, `fallback` when absent or invalid.
    func offOrDuration(_ name: String, in directives: [Directive], default fallback: TimeAmount?) -> TimeAmount? {
        guard let d = first(name, in: directives), let text = d.arguments.first?.text else { return fallback }
        return text == "off" ? nil : (value(d) { ValueParser.duration($0) } ?? fallback)
    }
}
