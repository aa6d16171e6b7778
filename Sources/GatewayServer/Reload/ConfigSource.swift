import GatewayConfig

/// Where the running gateway's configuration comes from, so that a reload (SIGHUP, the admin
/// endpoint) can read and compile it again. Loading reads files: call ``load()`` off the event
/// loops.
public struct ConfigSource: Sendable {
    public let path: String
    public let loader: ConfigLoader

    public init(path: String, loader: ConfigLoader) {
        self.path = path
        self.loader = loader
    }

    public func load() -> ConfigLoadResult { loader.load(path: path) }
}
