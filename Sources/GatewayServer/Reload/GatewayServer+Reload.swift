import GatewayConfig
import GatewayCore
import Logging
import NIOCore

extension GatewayServer {
    /// The plan generation serving now and the reloads tried so far.
    public var reloadStatus: ReloadStatus { reloadState.withLockedValue { $0 } }

    /// Reads the configuration again (SIGHUP, `POST /reload`): parse, validate and compile off
    /// the event loops, then prepare what the plan needs and bind its new listeners. Any error
    /// keeps the running plan, is logged with its `file:line:col` and returned. On success the
    /// plan is swapped on each loop (atomically per loop), listeners the new plan no longer has stop
    /// accepting (their open connections finish), and the generation goes up by one. Reloads run
    /// one at a time, in the order they were asked for.
    public func reload() async -> ConfigReloadOutcome {
        let task = reloadChain.withLockedValue { previous in
            let earlier = previous
            let next = Task.detached { () -> ConfigReloadOutcome in
                await earlier?.value
                return await self.performReload()
            }
            previous = Task { _ = await next.value }
            return next
        }
        return await task.value
    }

    private func performReload() async -> ConfigReloadOutcome {
        guard let source else { return refuse("this gateway was not started from a configuration file") }
        guard !isShuttingDown else { return refuse("the gateway is shutting down") }
        let running = self.plan
        let result = source.load(reusing: running)
        guard let plan = result.plan else { return refuse(result.report) }
        for warning in result.diagnostics { reloadLogger.warning("\(warning)") }
        for change in PlanDiff.restartOnlyChanges(from: running, to: plan) {
            reloadLogger.warning("configuration reload: \(change) changes only on restart")
        }
        let prepared: PreparedPlan
        let bound: [BoundListener]
        let adminChange: (keep: BoundAdmin?, close: BoundAdmin?)
        do {
            prepared = try await prepare(plan)
            let existing = listeners.withLockedValue { $0 }
            bound = try await bind(plan.listeners, keeping: existing)
            do {
                adminChange = try await bindAdmin(plan.settings.admin, keeping: admin.withLockedValue { $0 })
            } catch {
                for listener in bound where !existing.contains(where: { $0.channel === listener.channel }) {
                    try? await listener.channel.close()
                }
                throw error
            }
        } catch {
            return refuse("\(error)")
        }
        await activate(plan, prepared)
        logLevels?.apply(plan.settings.logging)
        admin.withLockedValue { $0 = adminChange.keep }
        try? await adminChange.close?.channel.close()
        let removed = listeners.withLockedValue { current in
            defer { current = bound }
            return current.filter { old in !bound.contains { $0.channel === old.channel } }
        }
        for listener in removed {
            try? await listener.channel.close()
            reloadLogger.info("stopped listening", metadata: ["address": "\(listener.spec.displayAddress)"])
        }
        if let interval = plan.settings.certificateCheckInterval, bound.contains(where: { $0.certificates != nil }) {
            startCertificateWatcher(every: interval)
        }
        if plan.settings.resolveInterval != running.settings.resolveInterval { scheduleAddressRefresh(plan) }
        let generation = reloadState.withLockedValue { state in
            state.generation += 1
            state.succeeded += 1
            state.lastError = nil
            return state.generation
        }
        reloadLogger.info(
            "configuration reloaded",
            metadata: ["generation": "\(generation)", "file": "\(source.path)", "listeners": "\(bound.count)"])
        return .reloaded(generation: generation, warnings: result.diagnostics)
    }

    private var reloadLogger: Logger { logger.subsystem(.reload) }

    private func refuse(_ report: String) -> ConfigReloadOutcome {
        // Logged before the record changes, so whoever sees the failure counted finds the log line.
        reloadLogger.error("configuration reload refused; the running configuration stays", metadata: ["errors": "\(report)"])
        let generation = reloadState.withLockedValue { state in
            state.failed += 1
            state.lastError = report
            return state.generation
        }
        return .refused(generation: generation, report: report)
    }
}
