/// Renders metrics in the Prometheus text exposition format (version 0.0.4): `# HELP` and
/// `# TYPE` once per family, label values escaped, histograms as cumulative `_bucket` series
/// with `le`, then `_sum` and `_count`.
struct PrometheusText {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + value + "\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, String(value))
    }

    /// The `_bucket`, `_sum` and `_count` series of one histogram (the family line comes first).
    mutating func histogram(_ name: String, _ labels: [(String, String)], _ histogram: LatencyHistogram) {
        var cumulative = 0
        for (i, bound) in LatencyHistogram.boundsNanos.enumerated() {
            cumulative += histogram.buckets[i]
            sample(name + "_bucket", labels + [("le", Self.seconds(bound))], cumulative)
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], histogram.count)
        sample(name + "_sum", labels, Self.seconds(histogram.sumNanos))
        sample(name + "_count", labels, histogram.count)
    }

    static func seconds(_ nanos: Int64) -> String { String(Double(nanos) / 1e9) }

    /// Backslash, double quote and line feed are escaped in label values.
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
