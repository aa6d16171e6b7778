/// A response policy that needs nothing from the request, so it also applies to answers given
/// before any route matched (400, 404, 405, 414, 431), which have no ``RequestContext``.
public protocol UnroutedResponsePolicy: Sendable {
    var name: String { get }
    func apply(to response: inout ResponseContext)
}
