/// A verified claim sent upstream as a request header (`forward_claim CLAIM HEADER`). A client's
/// own copy of the header is always removed first.
public struct ClaimForward: Sendable, Hashable, CustomStringConvertible {
    public var claim: String
    public var header: String

    public init(claim: String, header: String) {
        self.claim = claim
        self.header = header
    }

    public var description: String { "\(claim) → \(header)" }
}
