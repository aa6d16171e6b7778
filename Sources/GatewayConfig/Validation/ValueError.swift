/// Why an argument is not a valid value of its type, with what would be valid.
struct ValueError: Error, Sendable, Hashable {
    var message: String
    var hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}
