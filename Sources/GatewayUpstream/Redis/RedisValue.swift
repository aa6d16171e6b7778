/// One RESP reply, as hiredis' reader decodes it.
public enum RedisValue: Sendable, Hashable {
    /// A simple string (`+OK`).
    case status(String)
    /// An error reply (`-NOSCRIPT …`): the command failed, the connection is fine.
    case error(String)
    case integer(Int64)
    /// A bulk string (binary data is decoded as UTF-8, invalid bytes replaced).
    case string(String)
    case null
    case array([RedisValue])

    /// The integer of an integer reply, or of a bulk string holding one.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .string(let text): Int64(text)
        default: nil
        }
    }
}
