/// Why a configured key (PEM file, secret, JWK) cannot be used.
public struct JWTKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
