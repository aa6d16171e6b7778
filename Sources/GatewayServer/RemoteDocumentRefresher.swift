import GatewayCore
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Keeps the plan's remote documents (JWKS) fresh, in background tasks off the event loops:
/// fetch on start, then every `refreshInterval`, sooner when a policy asks (an unknown key id),
/// and every 10 seconds at most while fetches fail. A failed fetch or an unusable document
/// leaves the last good copy in place.
final class RemoteDocumentRefresher: Sendable {
    private struct Running {
        var tasks: [Task<Void, Never>] = []
        var streams: [AsyncStream<Void>.Continuation] = []
    }

    private let group: any EventLoopGroup
    private let logger: Logger
    private let running = NIOLockedValueBox(Running())
    /// Fetch results by document URL.
    private let statuses = NIOLockedValueBox<[String: RemoteDocumentStatus]>([:])

    /// Retry interval while a document cannot be fetched.
    static let retryInterval = TimeAmount.seconds(10)

    init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
    }

    /// Stops refreshing the previous documents and starts on `sources`. Returns once every new
    /// document had its first fetch attempt, so a plan starts serving with its keys when they
    /// can be had.
    func replace(with sources: [any RemoteDocumentSource]) async {
        stop()
        var started = Running()
        for source in sources {
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            source.onRefreshRequested { continuation.yield() }
            let fetched = await fetch(source)
            started.streams.append(continuation)
            started.tasks.append(Task { await self.refresh(source, stream: stream, continuation: continuation, lastFetchSucceeded: fetched) })
        }
        running.withLockedValue { $0 = started }
    }

    /// Fetch results by document URL, of every document fetched since the start.
    var status: [String: RemoteDocumentStatus] { statuses.withLockedValue { $0 } }

    func stop() {
        let previous = running.withLockedValue { state in
            defer { state = Running() }
            return state
        }
        for continuation in previous.streams { continuation.finish() }
        for task in previous.tasks { task.cancel() }
    }

    private func refresh(
        _ source: any RemoteDocumentSource, stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation, lastFetchSucceeded: Bool
    ) async {
        var succeeded = lastFetchSucceeded
        var wakeUps = stream.makeAsyncIterator()
        while !Task.isCancelled {
            let wait = succeeded ? source.refreshInterval : min(source.refreshInterval, Self.retryInterval)
            let timer = Task {
                do {
                    try await Task.sleep(nanoseconds: UInt64(max(0, wait.nanoseconds)))
                    continuation.yield()
                } catch {}
            }
            let woken: Void? = await wakeUps.next()
            timer.cancel()
            guard woken != nil, !Task.isCancelled else { return }
            succeeded = await fetch(source)
        }
    }

    /// One fetch; returns whether a usable document was installed.
    private func fetch(_ source: any RemoteDocumentSource) async -> Bool {
        do {
            let document = try await DocumentFetcher.get(source.url, caFile: source.caFile, group: group)
            try source.install(document)
            let now = WallClock.now()
            statuses.withLockedValue { statuses in
                statuses[source.url, default: RemoteDocumentStatus()].succeeded += 1
                statuses[source.url]?.lastFetchSucceeded = true
                statuses[source.url]?.lastSuccessMillis = now
            }
            logger.info("remote document loaded", metadata: ["url": "\(LogRedaction.url(source.url))"])
            return true
        } catch {
            source.fetchFailed("\(error)")
            statuses.withLockedValue { statuses in
                statuses[source.url, default: RemoteDocumentStatus()].failed += 1
                statuses[source.url]?.lastFetchSucceeded = false
                statuses[source.url]?.lastError = "\(error)"
            }
            logger.warning("remote document not refreshed; the last good copy stays in use", metadata: ["url": "\(LogRedaction.url(source.url))", "error": "\(error)"])
            return false
        }
    }
}
