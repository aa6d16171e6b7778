import GatewayCore
import NIOCore

extension GatewayServer {
    /// (Re)starts the lookups of upstream server names at `plan`'s `resolve_interval`; none when off.
    func scheduleAddressRefresh(_ plan: GatewayPlan) {
        addressRefresher.stop()
        guard let interval = plan.settings.resolveInterval else { return }
        addressRefresher.start(every: interval, apply: applyingAddresses)
    }

    /// One round of lookups now (what the interval runs), its changes applied when it returns.
    func refreshAddresses() async {
        await addressRefresher.refresh(apply: applyingAddresses)
    }

    /// ``applyAddresses(_:to:)`` for the refresher, which must not keep the server alive.
    private var applyingAddresses: UpstreamAddressRefresher.Apply {
        { [weak self] spec, addresses in await self?.applyAddresses(addresses, to: spec) }
    }

    /// Swaps `spec`'s new addresses in on every event loop (each replaces its pool), then moves
    /// its health checks to them.
    func applyAddresses(_ addresses: [SocketAddress], to spec: UpstreamSpec) async {
        for bound in contexts.values {
            try? await bound.eventLoop.submit { bound.value.replaceAddresses(of: spec, with: addresses) }.get()
        }
        healthChecks.update(plan, addresses: addressRefresher.addresses, upstreamTLS: upstreamTLS.withLockedValue { $0 })
    }
}
