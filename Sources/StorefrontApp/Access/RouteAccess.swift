/// Who may call a route. Every route states it; the auth link enforces it, and services
/// still check ownership of what they touch.
public enum RouteAccess: Sendable, Equatable {
    /// No credentials needed.
    case anyone
    /// Anyone, unless `METRICS_TOKEN` is set: then that bearer token.
    case metricsToken
    /// A signed-in user presenting an access token; API keys are refused (key management,
    /// profile and second-factor changes must not be reachable with a leaked key).
    case accessToken
    /// A user by access token, or by an API key carrying `scope`.
    case user(scope: Scope)
    /// An admin by access token, or an admin's API key carrying `scope`.
    case admin(scope: Scope?)
}

extension Principal {
    /// Whether these credentials satisfy a route's access level (authentication aside).
    func may(_ access: RouteAccess) -> Bool {
        switch access {
        case .anyone, .metricsToken: true
        case .accessToken: credential == .accessToken
        case .user(let scope): has(scope)
        case .admin(let scope):
            // An admin's key works on admin routes only when the route names a scope it has.
            isAdmin && (credential == .accessToken || scope.map(has) == true)
        }
    }
}

extension RequestContext {
    /// The caller, on routes whose access level guarantees the auth link set one.
    func requirePrincipal() throws(AccessError) -> Principal {
        guard let principal else { throw .unauthenticated }
        return principal
    }
}
