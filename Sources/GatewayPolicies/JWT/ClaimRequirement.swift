/// A claim a token must carry (`require_claim NAME [VALUE...]`): present, and when values are
/// given, equal to one of them (for an array claim: containing one of them).
public struct ClaimRequirement: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String] = []) {
        self.name = name
        self.values = values
    }

    public func check(_ claims: [String: JSONValue]) -> JWTFailure? {
        guard let claim = claims[name], claim != .null else { return .missingClaim }
        guard !values.isEmpty else { return nil }
        let present: [String]
        if case .array(let items) = claim { present = items.compactMap(\.headerText) } else { present = claim.headerText.map { [$0] } ?? [] }
        return present.contains(where: values.contains) ? nil : .claimMismatch
    }

    public var description: String {
        values.isEmpty ? name : name + "=" + values.joined(separator: "|")
    }
}
