/// Decides who the client is, honouring forwarding headers only from `trusted_proxies`.
///
/// A peer outside the list is the client, whatever it claims in `X-Forwarded-For`. A trusted
/// peer's `X-Forwarded-For` is walked right to left, skipping trusted hops; the first untrusted
/// address is the client (the leftmost one when every hop is trusted). An unparsable entry stops
/// the walk at the last good address, so garbage cannot select an address of the client's choice.
public struct ClientAddressResolver: Sendable, Hashable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) {
        self.trustedProxies = trustedProxies
    }

    public func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// - Parameter forwardedFor: the values of every `X-Forwarded-For` field, in order.
    public func resolve(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        let peer = peer.unmapped
        guard isTrusted(peer), !forwardedFor.isEmpty else { return peer }
        var client = peer
        for value in forwardedFor.reversed() {
            for entry in value.split(separator: ",").reversed() {
                guard let address = IPAddress(Self.stripPort(entry.trimmingSpaces())) else { return client }
                client = address.unmapped
                if !isTrusted(client) { return client }
            }
        }
        return client
    }

    /// `[v6]:port` and `v4:port` forms appear in the wild; the address is what counts.
    static func stripPort(_ entry: Substring) -> Substring {
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return entry }
            return entry[entry.index(after: entry.startIndex)..<close]
        }
        if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
            return entry[..<colon]
        }
        return entry
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs (optional whitespace of RFC 9110).
    public func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
