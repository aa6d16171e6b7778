import GatewayCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Looks the upstream server names of the serving plan up again every `resolve_interval`, on
/// NIO's blocking thread pool (never on an event loop), and hands each changed upstream's
/// addresses to `apply` (which swaps them in on every event loop).
final class UpstreamAddressRefresher: Sendable {
    typealias Apply = @Sendable (UpstreamSpec, [SocketAddress]) async -> Void

    private let book: NIOLockedValueBox<UpstreamAddressBook>
    private let resolve: @Sendable (String, Int) throws -> SocketAddress
    private let logger: Logger
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(
        addresses: [UpstreamSpec: [SocketAddress]],
        logger: Logger,
        resolve: @escaping @Sendable (String, Int) throws -> SocketAddress = { try SocketAddress.makeAddressResolvingHost($0, port: $1) }
    ) {
        self.book = NIOLockedValueBox(UpstreamAddressBook(addresses))
        self.logger = logger
        self.resolve = resolve
    }

    /// A reload resolved and installed these.
    func replace(with addresses: [UpstreamSpec: [SocketAddress]]) {
        book.withLockedValue { $0.replace(with: addresses) }
    }

    var addresses: [UpstreamSpec: [SocketAddress]] { book.withLockedValue { $0.addresses } }
    var lookups: [String: UpstreamAddressBook.Lookups] { book.withLockedValue { $0.lookups } }

    /// Every `interval` until ``stop()``: look up, log, apply (once: later calls keep the first).
    func start(every interval: TimeAmount, apply: @escaping Apply) {
        task.withLockedValue { task in
            guard task == nil else { return }
            task = Task.detached { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(max(interval.nanoseconds, 1_000_000)))
                    guard let self, !Task.isCancelled else { return }
                    await self.refresh(apply: apply)
                }
            }
        }
    }

    func stop() {
        task.withLockedValue { task in
            task?.cancel()
            task = nil
        }
    }

    /// One round of lookups, its changes applied before it returns.
    func refresh(apply: Apply) async {
        let book = self.book
        let resolve = self.resolve
        // The lookups block: they run on the thread pool, the book's lock held only to copy and
        // then to record, so a reload or a /metrics scrape never waits on the resolver.
        let current = book.withLockedValue { $0 }
        guard let answers = try? await NIOThreadPool.singleton.runIfActive({ current.lookUp(resolve: resolve) }) else { return }
        let events = book.withLockedValue { $0.record(answers) }
        for event in events {
            switch event {
            case .changed(let spec, let addresses):
                logger.notice(
                    "upstream addresses changed",
                    metadata: ["upstream": "\(spec.name)", "addresses": "\(addresses.map { $0.description }.joined(separator: ", "))"])
                await apply(spec, addresses)
            case .failing(let upstream, let server, let error):
                logger.warning(
                    "upstream server name lookup failed; keeping its last address",
                    metadata: ["upstream": "\(upstream)", "server": "\(server)", "error": "\(error)"])
            case .recovered(let upstream, let server):
                logger.notice("upstream server name resolves again", metadata: ["upstream": "\(upstream)", "server": "\(server)"])
            }
        }
    }
}
