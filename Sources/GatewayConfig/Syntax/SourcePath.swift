/// Path arithmetic for includes, on strings only (the module touches no file system).
enum SourcePath {
    /// The directory part of `path`, or `.` when it has none.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// `path` taken relative to `directory` unless it is absolute, with `.` and `..` resolved
    /// where possible so that one file always has one name (include cycles are found by name).
    static func resolve(_ path: String, relativeTo directory: String) -> String {
        let joined = path.hasPrefix("/") || directory == "." ? path : directory + "/" + path
        return normalize(joined)
    }

    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
