#if DEBUG
import NIOConcurrencyHelpers

/// Debug builds count the requests each event loop still holds in memory, so that a test can
/// prove finished requests are freed (a reference cycle between a request and its upstream
/// exchange once kept every one of them). Release builds have no counter.
final class InstanceCount: Sendable {
    private let box = NIOLockedValueBox(0)

    var value: Int { box.withLockedValue { $0 } }

    func add(_ delta: Int) {
        box.withLockedValue { $0 += delta }
    }
}

extension GatewayServer {
    /// Requests of every event loop not yet freed.
    func requestsInMemory() async -> Int {
        var total = 0
        for bound in contexts.values {
            total += (try? await bound.eventLoop.submit { bound.value.requestsInMemory.value }.get()) ?? 0
        }
        return total
    }
}
#endif
