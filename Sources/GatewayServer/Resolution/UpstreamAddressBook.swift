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

    /// Looks every host name up again through `resolve`, then records what changed.
    mutating func refresh(resolve: Resolve) -> [Event] {
        record(lookUp(resolve: resolve))
    }

    /// What one upstream's host names resolved to now, by server index: an address or the error.
    struct Answers: Sendable {
        var spec: UpstreamSpec
        var results: [(server: Int, result: Result<SocketAddress, LookupError>)]
    }

    struct LookupError: Error, Sendable {
        var description: String
    }

    /// Looks every host name up again through `resolve` (blocking: call it off the event loops,
    /// and without holding the book's lock, so readers never wait on the resolver).
    func lookUp(resolve: Resolve) -> [Answers] {
        addresses.keys.filter(Self.needsLookup).map { spec in
            let results = spec.servers.indices.filter { IPAddress(spec.servers[$0].host) == nil }.map { index in
                let server = spec.servers[index]
                return (index, Result { try resolve(server.host, server.port) }.mapError { LookupError(description: "\($0)") })
            }
            return Answers(spec: spec, results: results)
        }
    }

    /// Takes in lookups made by ``lookUp(resolve:)``: new addresses, failures and recoveries.
    /// Answers for an upstream a reload has removed since are dropped.
    mutating func record(_ answers: [Answers]) -> [Event] {
        var events: [Event] = []
        for answer in answers {
            let spec = answer.spec
            guard let current = addresses[spec] else { continue }
            var updated = current
            for (index, result) in answer.results {
                let server = spec.servers[index]
                let id = "\(spec.name)/\(server)"
                switch result {
                case .success(let address):
                    updated[index] = address
                    lookups[spec.name, default: Lookups()].succeeded += 1
                    if failing.remove(id) != nil { events.append(.recovered(upstream: spec.name, server: "\(server)")) }
                case .failure(let error):
                    lookups[spec.name, default: Lookups()].failed += 1
                    if failing.insert(id).inserted { events.append(.failing(upstream: spec.name, server: "\(server)", error: error.description)) }
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
