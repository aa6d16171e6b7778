/// Time for pure tests: nanoseconds that move only when a test says so.
struct ManualClock {
    private(set) var now: Int64 = 1_000_000_000

    mutating func advance(seconds: Double) {
        now += Int64((seconds * 1e9).rounded())
    }

    mutating func advance(nanoseconds: Int64) {
        now += nanoseconds
    }
}
