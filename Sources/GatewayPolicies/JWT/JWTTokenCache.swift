/// Verified tokens of one issuer on one event loop, so a token seen again skips the parse and the
/// signature check (the slow part) until it expires.
///
/// Keyed by the exact token text: the dictionary compares the whole key on a hash match, so two
/// tokens that differ in one byte never share an entry. An entry keeps the claims and their
/// expiry; the cache as a whole keeps the generation of the key set its entries were verified
/// with, and a lookup or insert under a newer generation empties it (a rotated-out key must not
/// keep its tokens valid). An expired entry is dropped when it is looked up. Callers still check
/// the claims against the clock and the route on every hit; only the signature is skipped.
///
/// Bounded: a full cache evicts with CLOCK (second chance), O(1) amortised, no allocation on a
/// hit. Only touched on its event loop; not Sendable.
public final class JWTTokenCache {
    private struct Slot {
        var token: Substring
        var claims: [String: JSONValue]
        /// `exp` in seconds since 1970; `nil` when the token has none.
        var expiry: Double?
        var referenced: Bool
    }

    /// A token as a dictionary key: hashed by its last 32 bytes, which are its signature's (only
    /// tokens whose signature verified are inserted, so entries sharing them are as unlikely as
    /// equal signatures, and a shared tail would only be a hash collision), and compared whole.
    /// Hashing a few hundred bytes on every request cost more than the rest of the lookup.
    struct Key: Hashable {
        let token: Substring

        func hash(into hasher: inout Hasher) {
            var token = token
            token.withUTF8 { bytes in hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes.suffix(32)))) }
        }

        static func == (a: Key, b: Key) -> Bool { a.token == b.token }
    }

    public let capacity: Int
    private var index: [Key: Int]
    private var slots: [Slot?] = []
    private var hand = 0
    private var generation: Int?

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        self.index = Dictionary(minimumCapacity: self.capacity)
        slots.reserveCapacity(self.capacity)
    }

    /// Entries held now.
    public var count: Int { index.count }

    /// The claims `token` was verified with, when it was verified under `generation` and has not
    /// expired at `now` (with `skew` seconds of tolerance, as the claim check would judge).
    public func lookup(_ token: Substring, generation: Int, now: Int64, skew: Int64) -> [String: JSONValue]? {
        guard self.generation == generation else {
            clear(for: generation)
            return nil
        }
        guard let position = index[Key(token: token)], let slot = slots[position] else { return nil }
        if let expiry = slot.expiry, Double(now) >= expiry + Double(skew) {
            index[Key(token: slot.token)] = nil
            slots[position] = nil
            return nil
        }
        slots[position]?.referenced = true
        return slot.claims
    }

    /// Keeps a token just verified under `generation`. A token verified under an older
    /// generation than the cache has seen is not kept.
    public func insert(_ token: Substring, claims: [String: JSONValue], generation: Int) {
        if self.generation != generation {
            guard (self.generation ?? Int.min) < generation else { return }
            clear(for: generation)
        }
        let slot = Slot(
            token: Substring(String(token)), claims: claims, expiry: claims["exp"]?.number, referenced: false)
        if let position = index[Key(token: token)] {
            slots[position] = slot
            return
        }
        if slots.count < capacity {
            index[Key(token: slot.token)] = slots.count
            slots.append(slot)
            return
        }
        let position = victim()
        if let old = slots[position] { index[Key(token: old.token)] = nil }
        index[Key(token: slot.token)] = position
        slots[position] = slot
    }

    /// The next slot the clock hand finds empty or not referenced since its last pass, clearing
    /// reference bits on the way: at most two turns.
    private func victim() -> Int {
        for _ in 0..<(2 * capacity) {
            let position = hand
            hand = (hand + 1) % capacity
            guard let slot = slots[position], slot.referenced else { return position }
            slots[position]?.referenced = false
        }
        return hand
    }

    private func clear(for generation: Int) {
        self.generation = generation
        index.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        hand = 0
    }
}

@available(*, unavailable)
extension JWTTokenCache: Sendable {}
