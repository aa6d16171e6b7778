import GatewayCore
import NIOCore
import Synchronization

/// The key set of an issuer whose keys are published at a JWKS URL.
///
/// The server fetches the document in the background (``RemoteDocumentSource``); policies read
/// the last good set per request under a lock held only to copy a reference. A failed fetch or
/// an unusable document keeps the previous set. A token with an unknown key id asks for an
/// early fetch, at most once per `cooldown`.
public final class JWKSKeySource: RemoteDocumentSource {
    public let url: String
    public let refreshInterval: TimeAmount
    public let caFile: String?
    /// Shortest time between two early fetches asked for by unknown key ids, in seconds.
    public let cooldownSeconds: Int64

    private struct State {
        var keys: JWTKeySet?
        /// The document ``keys`` came from, to tell a changed key set from the same one again.
        var document: [UInt8] = []
        var lastError: String?
        var lastEarlyRefresh: Int64?
        var refreshHandler: (@Sendable () -> Void)?
        var updates = 0
        var waiters: [EventLoopPromise<Void>] = []
    }

    private let state = Mutex(State())
    private let keyGeneration = Atomic<Int>(0)

    public init(url: String, refreshInterval: TimeAmount, cooldownSeconds: Int64, caFile: String? = nil) {
        self.url = url
        self.refreshInterval = refreshInterval
        self.caFile = caFile
        self.cooldownSeconds = cooldownSeconds
    }

    /// The last good key set; `nil` until a fetch has succeeded.
    public var keys: JWTKeySet? { state.withLock { $0.keys } }

    /// Why the last fetch failed, if it did.
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Goes up whenever a different key set is installed (not when a fetch brings the same
    /// document again). Tokens verified under an older generation must be verified again: a
    /// removed key must not keep a cached token valid.
    ///
    /// Raised after the keys are in place, so a reader that loads the generation first and then
    /// ``keys`` sees keys at least that new. Read without a lock.
    public var generation: Int { keyGeneration.load(ordering: .acquiring) }

    /// How many fetches have completed, successful or not.
    public var updates: Int { state.withLock { $0.updates } }

    public func install(_ document: ByteBuffer) throws {
        let bytes = Array(document.readableBytesView)
        let keys = try JWTKeySet(jwks: bytes)
        finishUpdate { state in
            if state.keys == nil || state.document != bytes {
                state.keys = keys
                state.document = bytes
                keyGeneration.add(1, ordering: .releasing)
            }
            state.lastError = nil
        }
    }

    public func fetchFailed(_ reason: String) {
        finishUpdate { $0.lastError = reason }
    }

    private func finishUpdate(_ change: (inout State) -> Void) {
        let waiters = state.withLock { state in
            change(&state)
            state.updates += 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.succeed(()) }
    }

    public func onRefreshRequested(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.refreshHandler = handler }
    }

    /// Asks the fetcher for an early fetch; returns whether it was asked (not within the
    /// cooldown of the previous early fetch, and a fetcher is attached).
    @discardableResult
    public func requestRefresh(now: Int64) -> Bool {
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            if let last = state.lastEarlyRefresh, now - last < cooldownSeconds { return nil }
            guard let handler = state.refreshHandler else { return nil }
            state.lastEarlyRefresh = now
            return handler
        }
        handler?()
        return handler != nil
    }

    /// Completes on `eventLoop` when the next fetch has finished (installed or failed).
    public func nextUpdate(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        state.withLock { $0.waiters.append(promise) }
        return promise.futureResult
    }
}
