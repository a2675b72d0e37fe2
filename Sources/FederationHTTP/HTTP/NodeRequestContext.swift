public import Eldercare
public import Hummingbird

/// The request context of the node's router: Hummingbird's core storage plus the caller's role,
/// set by `AccessMiddleware` before any handler runs.
///
///     router.get("/api/v1/elders") { request, context in
///         try await roster.listElders(request, unmasked: context.role == .operator)
///     }
public struct NodeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The role the request's token grants (nil only on the open routes `/healthz` and `/metrics`).
    public var role: AccessRole?

    public init(source: Source) {
        coreContext = .init(source: source)
        role = nil
    }
}
