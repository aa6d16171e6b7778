import Foundation

/// Parses Prometheus text with the Prometheus project's Python client
/// (`prometheus_client.parser`, installed by deploy/setup.sh as python3-prometheus-client):
/// a parser the gateway's renderer was not written against. Throws what the parser refused.
public enum PrometheusParser {
    public struct Sample: Sendable, Decodable {
        public var family: String
        public var type: String
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        with open(sys.argv[1]) as f:
            text = f.read()
        out = []
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
        print(json.dumps(out))
        """

    public static func parse(_ text: String) throws -> [Sample] {
        let directory = NSTemporaryDirectory() + "prometheus-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = directory + "/metrics.txt"
        try text.write(toFile: input, atomically: true, encoding: .utf8)
        // The system interpreter, where the Debian package puts the module.
        let (output, status) = try Subprocess.run(["/usr/bin/python3", "-c", script, input])
        guard status == 0, let json = output.split(separator: "\n").last else { throw Refused(description: output) }
        return try JSONDecoder().decode([Sample].self, from: Data(json.utf8))
    }
}
