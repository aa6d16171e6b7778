/// State that policies keep on one event loop between requests (the verified-token caches),
/// owned by the server's loop and lent to every request that runs there.
///
/// Only ever touched on its own loop (requests carry it in a `NIOLoopBound`), so nothing here
/// locks. Values are keyed by the identity of an owner object of the plan (e.g. a JWT issuer's
/// cache settings) and keep that owner alive, so an identity is never reused while its value is
/// here. The server starts a fresh state with every installed plan; requests in flight keep the
/// state they started with.
public final class PolicyLoopState {
    private var values: [ObjectIdentifier: (owner: AnyObject, value: AnyObject)] = [:]

    public init() {}

    /// The value kept for `owner`, made by `make` on first use.
    public func value<Value: AnyObject>(for owner: AnyObject, make: () -> Value) -> Value {
        let key = ObjectIdentifier(owner)
        if let existing = values[key]?.value as? Value { return existing }
        let value = make()
        values[key] = (owner, value)
        return value
    }

    /// How many owners have a value here.
    public var count: Int { values.count }
}

@available(*, unavailable)
extension PolicyLoopState: Sendable {}
