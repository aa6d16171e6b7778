/// "Did you mean …?" for unknown names and values.
enum Suggestion {
    /// The candidate `word` was most likely meant to be: the one unique candidate it is a prefix
    /// of, else the closest within Levenshtein distance 2 (ties go to the alphabetically first).
    static func closest(to word: String, among candidates: [String]) -> String? {
        guard !word.isEmpty, !candidates.isEmpty else { return nil }
        let prefixed = candidates.filter { $0.hasPrefix(word) && $0 != word }
        if prefixed.count == 1 { return prefixed[0] }
        var best: (distance: Int, name: String)? = nil
        for candidate in candidates.sorted() {
            let distance = levenshtein(word, candidate)
            guard distance <= 2, distance < word.count else { continue }
            if best == nil || distance < best!.distance { best = (distance, candidate) }
        }
        return best?.name
    }

    /// `did you mean 'x'?` when one is close, else `expected one of: a, b, c`.
    static func hint(for word: String, among candidates: [String]) -> String? {
        if let match = closest(to: word, among: candidates) { return "did you mean '\(match)'?" }
        return candidates.isEmpty ? nil : "expected one of: " + candidates.joined(separator: ", ")
    }

    static func levenshtein(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
