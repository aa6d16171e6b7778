/// Runs the `curl` command line (bounded by `--max-time`) and splits its output into the
/// response head (`-D -`) and body.
public enum Curl {
    public struct Output: Sendable {
        public var head: String
        public var body: String
        public var status: Int32
    }

    public static func run(_ arguments: [String], maxTime: Int = 10) async throws -> Output {
        let (text, status) = try Subprocess.run(["curl", "-sS", "--max-time", String(maxTime), "-D", "-"] + arguments)
        guard let split = text.range(of: "\r\n\r\n") else {
            return Output(head: text, body: "", status: status)
        }
        return Output(head: String(text[..<split.lowerBound]), body: String(text[split.upperBound...]), status: status)
    }
}
