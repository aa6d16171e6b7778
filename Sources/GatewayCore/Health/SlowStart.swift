import NIOCore

/// nginx Plus' `slow_start`: a server that comes back (health check up, end of an outlier
/// ejection) gets a weight that grows linearly from a tenth of its own to all of it over `period`.
///
/// Weights are in thousandths so that a server of weight 1 can ramp too: the balancer scales every
/// weight by ``full`` and a ramping one by ``permille(elapsed:period:)``.
public enum SlowStart {
    public static let full = 1000
    public static let initial = 100

    /// The share of its weight (in thousandths, 100...1000) a server has `elapsed` into its ramp.
    public static func permille(elapsed: TimeAmount, period: TimeAmount) -> Int {
        guard period.nanoseconds > 0, elapsed < period else { return full }
        guard elapsed.nanoseconds > 0 else { return initial }
        let grown = Double(full - initial) * Double(elapsed.nanoseconds) / Double(period.nanoseconds)
        return initial + Int(grown)
    }
}
