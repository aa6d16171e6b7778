/// `openssl s_client` against a local port, for handshakes NIOSSL's client would not attempt
/// (old protocol versions, legacy cipher suites). Returns everything it printed.
public enum OpenSSLClient {
    public static func handshake(port: Int, arguments: [String]) throws -> String {
        try Subprocess.run(["timeout", "10", "openssl", "s_client", "-connect", "127.0.0.1:\(port)"] + arguments).output
    }
}
