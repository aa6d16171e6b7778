import GatewayConfig
import GatewayCore

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

    /// - Parameter previous: the running plan, whose unchanged caches the new plan keeps.
    public func load(reusing previous: GatewayPlan? = nil) -> ConfigLoadResult { loader.load(path: path, reusing: previous) }
}
