import GatewayCore
import NIOCore

/// The addresses the servers of the serving plan's upstreams resolve to, and what looking their
/// names up again changed.
///
/// A lookup that fails keeps the server's last good address; each server's turn to failing, and
/// back, is reported once (not at every failed lookup). IP literals are never looked up. One
/// address per `server` line: the first the resolver gives.
struct UpstreamAddressBook: Sendable {
    typealias Resolve = (_ host: String, _ port: Int) throws -> SocketAddress

    enum Event: Equatable, Sendable {
        /// At least one of `spec`'s servers resolves to a new address; `addresses` are all of them.
        case changed(UpstreamSpec, addresses: [SocketAddress])
        case failing(upstream: String, server: String, error: String)
        case recovered(upstream: String, server: String)
    }

    struct Lookups: Sendable, Equatable {
        var succeeded = 0
        var failed = 0
    }

    private(set) var addresses: [UpstreamSpec: [SocketAddress]]
    /// Servers (`upstream/host:port`) whose last lookup failed.
    private var failing: Set<String> = []
    /// Lookups by upstream name, for metrics (kept across reloads).
    private(set) var lookups: [String: Lookups] = [:]

    init(_ addresses: [UpstreamSpec: [SocketAddress]]) {
        self.addresses = addresses
    }

    /// Whether any server of `spec` is named by a host name.
    static func needsLookup(_ spec: UpstreamSpec) -> Bool {
        spec.servers.contains { IPAddress($0.host) == nil }
    }

    /// A reload installed `addresses` (just resolved for its plan).
    mutating func replace(with addresses: [UpstreamSpec: [SocketAddress]]) {
        self.addresses = addresses
        let live = Set(addresses.keys.flatMap { spec in spec.servers.map { "\(spec.name)/\($0)" } })
        failing.formIntersection(live)
    }

    /// Looks every host name up again through `resolve` (blocking: call it off the event loops).
    mutating func refresh(resolve: Resolve) -> [Event] {
        var events: [Event] = []
        for (spec, current) in addresses where Self.needsLookup(spec) {
            var updated = current
            for (index, server) in spec.servers.enumerated() where IPAddress(server.host) == nil {
                let id = "\(spec.name)/\(server)"
                do {
                    updated[index] = try resolve(server.host, server.port)
                    lookups[spec.name, default: Lookups()].succeeded += 1
                    if failing.remove(id) != nil { events.append(.recovered(upstream: spec.name, server: "\(server)")) }
                } catch {
                    lookups[spec.name, default: Lookups()].failed += 1
                    if failing.insert(id).inserted { events.append(.failing(upstream: spec.name, server: "\(server)", error: "\(error)")) }
                }
            }
            if updated != current {
                addresses[spec] = updated
                events.append(.changed(spec, addresses: updated))
            }
        }
        return events
    }
}
