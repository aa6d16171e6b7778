/// Counts by up to three stable codes (policy, error and reason; limit and decision). The codes
/// come from a fixed vocabulary, so the table stays a handful of entries: a linear scan over
/// short strings, with no hashing, no allocation and no lock, on the loop that owns it.
struct CodeCounter: Sendable, Equatable {
    struct Key: Sendable, Equatable {
        var first: String
        var second: String
        var third: String

        init(_ first: String, _ second: String, _ third: String = "") {
            self.first = first
            self.second = second
            self.third = third
        }
    }

    struct Entry: Sendable, Equatable {
        var key: Key
        var count: Int
    }

    private(set) var entries: [Entry] = []

    mutating func increment(_ key: Key, by amount: Int = 1) {
        for i in entries.indices where entries[i].key == key {
            entries[i].count += amount
            return
        }
        entries.append(Entry(key: key, count: amount))
    }

    mutating func add(_ other: CodeCounter) {
        for entry in other.entries { increment(entry.key, by: entry.count) }
    }
}
