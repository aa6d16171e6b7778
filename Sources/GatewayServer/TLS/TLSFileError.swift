/// A certificate, key or CA file that cannot be used, and why.
struct TLSFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}
