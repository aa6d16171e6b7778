import NIOCore
import NIOPosix

/// A Redis client confined to one event loop: a small pool of connections on that loop, commands
/// pipelined on each, every command bounded by the configured timeout, and reconnects with
/// exponential backoff when a connection fails. Nothing blocks the loop.
///
/// While no connection is up, commands fail at once with ``RedisError/unavailable(_:)`` rather
/// than wait; while one is connecting, they wait for it (still within their timeout).
///
/// Not Sendable: every method must be called on ``eventLoop``.
public final class RedisClient {
    public let eventLoop: any EventLoop
    public let configuration: RedisClientConfiguration
    /// Called on the loop when a connection comes up (`true`) or goes down (`false`), with a reason.
    public var onConnectionChange: ((Bool, String) -> Void)?

    private final class Slot {
        enum State {
            case idle
            case connecting([(arguments: [String], command: RedisPendingCommand)])
            case ready(RedisConnectionHandler)
            case backingOff(Scheduled<Void>)
        }

        var state = State.idle
        var failures = 0
        var connectedAt: NIODeadline?
    }

    private let slots: [Slot]
    private var nextSlot = 0
    private var closed = false
    /// Script source → SHA1 the server gave for it.
    private var scriptHashes: [String: String] = [:]
    private var scriptsLoading: Set<String> = []
    private let deadlines: RedisCommandDeadlines

    public init(eventLoop: any EventLoop, configuration: RedisClientConfiguration) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.slots = (0..<configuration.poolSize).map { _ in Slot() }
        self.deadlines = RedisCommandDeadlines(eventLoop: eventLoop)
    }

    /// Opens every connection of the pool.
    public func start() {
        eventLoop.assertInEventLoop()
        for slot in slots { connect(slot) }
    }

    /// Closes the connections and fails what is waiting; the client stays closed.
    public func close() {
        eventLoop.assertInEventLoop()
        closed = true
        for slot in slots {
            switch slot.state {
            case .ready(let handler): handler.close()
            case .backingOff(let timer): timer.cancel()
            case .connecting(let queued): for item in queued { item.command.fail(.closed) }
            case .idle: break
            }
            slot.state = .idle
        }
        deadlines.cancel()
    }

    /// Whether a connection is up.
    public var isConnected: Bool { connectedCount > 0 }

    /// How many connections of the pool are up.
    public var connectedCount: Int {
        slots.count(where: { if case .ready = $0.state { true } else { false } })
    }

    /// Sends one command (name first); the reply, or an error within the timeout.
    public func send(_ arguments: [String]) -> EventLoopFuture<RedisValue> {
        send(arguments, deadline: .now() + configuration.timeout)
    }

    /// Sends one command (name first); the reply, or ``RedisError/timeout`` at `deadline`.
    public func send(_ arguments: [String], deadline: NIODeadline) -> EventLoopFuture<RedisValue> {
        eventLoop.assertInEventLoop()
        let command = RedisPendingCommand(promise: eventLoop.makePromise(), deadline: deadline)
        guard !closed else {
            command.fail(.closed)
            return command.promise.futureResult
        }
        deadlines.track(command)
        dispatch(arguments, command)
        return command.promise.futureResult
    }

    /// Runs `script` with `EVALSHA`, loading it first if this client has not yet, and again with
    /// `EVAL` if the server answers `NOSCRIPT`, all before `deadline` (the configured timeout
    /// from now by default). Error replies come back as ``RedisValue/error(_:)``.
    public func run(
        _ script: RedisScript, keys: [String], arguments: [String], deadline: NIODeadline? = nil
    ) -> EventLoopFuture<RedisValue> {
        let deadline = deadline ?? .now() + configuration.timeout
        let tail = [String(keys.count)] + keys + arguments
        guard let hash = scriptHashes[script.source] else {
            load(script)
            return send(["EVAL", script.source] + tail, deadline: deadline)
        }
        return send(["EVALSHA", hash] + tail, deadline: deadline).assumeIsolated().flatMap { reply in
            guard case .error(let message) = reply, message.hasPrefix("NOSCRIPT") else {
                return self.eventLoop.makeSucceededFuture(reply)
            }
            self.scriptHashes[script.source] = nil
            self.load(script)
            return self.send(["EVAL", script.source] + tail, deadline: deadline)
        }.nonisolated()
    }

    /// Learns the script's hash with `SCRIPT LOAD` (once at a time).
    private func load(_ script: RedisScript) {
        guard !scriptsLoading.contains(script.source) else { return }
        scriptsLoading.insert(script.source)
        send(["SCRIPT", "LOAD", script.source]).assumeIsolated().whenComplete { result in
            self.scriptsLoading.remove(script.source)
            if case .success(.string(let hash)) = result { self.scriptHashes[script.source] = hash }
        }
    }

    private func dispatch(_ arguments: [String], _ command: RedisPendingCommand) {
        var waitingSlot: Slot?
        for offset in 0..<slots.count {
            let slot = slots[(nextSlot + offset) % slots.count]
            switch slot.state {
            case .ready(let handler):
                nextSlot = (nextSlot + offset + 1) % slots.count
                handler.send(arguments, for: command)
                return
            case .connecting:
                waitingSlot = waitingSlot ?? slot
            case .idle, .backingOff:
                break
            }
        }
        guard let slot = waitingSlot, case .connecting(var queued) = slot.state else {
            command.fail(.unavailable("no connection to \(configuration.address)"))
            return
        }
        queued.append((arguments, command))
        slot.state = .connecting(queued)
    }

    private func connect(_ slot: Slot) {
        guard !closed else { return }
        slot.state = .connecting([])
        ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RedisConnectionHandler()) }
            }
            .connect(to: configuration.address)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard let handler = try? channel.pipeline.syncOperations.handler(type: RedisConnectionHandler.self) else {
                        channel.close(promise: nil)
                        self.lost(slot, reason: "connection closed during setup")
                        return
                    }
                    self.connected(slot, handler: handler, channel: channel)
                case .failure(let error):
                    self.lost(slot, reason: "connect failed: \(error)")
                }
            }
    }

    private func connected(_ slot: Slot, handler: RedisConnectionHandler, channel: any Channel) {
        guard !closed, case .connecting(let queued) = slot.state else {
            channel.close(promise: nil)
            return
        }
        guard channel.isActive else {
            lost(slot, reason: "connection closed during setup")
            return
        }
        // Commands written after these on the same connection run after them.
        if let password = configuration.password {
            handler.send(["AUTH", password], for: setupCommand(on: channel))
        }
        if configuration.database != 0 {
            handler.send(["SELECT", String(configuration.database)], for: setupCommand(on: channel))
        }
        slot.state = .ready(handler)
        slot.connectedAt = .now()
        handler.onClose = { [weak self] in self?.lost(slot, reason: "connection closed") }
        onConnectionChange?(true, "connected to \(configuration.address)")
        // A command that timed out while waiting for the connection is not sent late.
        for item in queued where !item.command.done { handler.send(item.arguments, for: item.command) }
    }

    /// A setup command whose error reply closes the connection (wrong password, bad database).
    private func setupCommand(on channel: any Channel) -> RedisPendingCommand {
        let command = RedisPendingCommand(promise: eventLoop.makePromise())
        command.promise.futureResult.assumeIsolated().whenSuccess { reply in
            if case .error(let message) = reply {
                self.onConnectionChange?(false, "setup refused: \(message)")
                channel.close(promise: nil)
            }
        }
        return command
    }

    private func lost(_ slot: Slot, reason: String) {
        if case .connecting(let queued) = slot.state {
            for item in queued { item.command.fail(.unavailable(reason)) }
        }
        guard !closed else {
            slot.state = .idle
            return
        }
        // A connection that lived a while resets the backoff; one that died at once does not.
        if let since = slot.connectedAt, NIODeadline.now() - since > .seconds(1) { slot.failures = 0 }
        slot.connectedAt = nil
        let delay = min(
            configuration.maximumBackoff.nanoseconds,
            configuration.initialBackoff.nanoseconds << min(slot.failures, 16))
        slot.failures += 1
        onConnectionChange?(false, "\(reason); reconnecting in \(delay / 1_000_000)ms")
        slot.state = .backingOff(eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(delay)) { self.connect(slot) })
    }
}

@available(*, unavailable)
extension RedisClient: Sendable {}
