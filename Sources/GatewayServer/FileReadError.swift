#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be read; the message is the system's.
public struct FileReadError: Error, CustomStringConvertible {
    public var path: String
    public var code: Int32
    public var description: String { "cannot read \(path): \(String(cString: strerror(code)))" }
}
