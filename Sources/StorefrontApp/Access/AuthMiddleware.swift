import HTTPCore

/// Finds the credentials on a request, verifies them, and enforces the route's
/// `RouteAccess`: 401 (with `WWW-Authenticate: Bearer`) when they are missing or bad,
/// 403 when they are good but not enough. On `.anyone` routes credentials are optional,
/// but ones that are sent must be valid. `/metrics` checks its own token, and the other
/// operational endpoints ignore credentials: a probe must not fail because a proxy added
/// a header, and they serve nothing that depends on who asks.
struct AuthMiddleware: Middleware {
    let accessTokens: any AccessTokenVerifier
    let apiKeys: any APIKeyVerifier

    nonisolated(nonsending) func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse {
        guard AuthMiddleware.readsCredentials(context) else { return try await next(request, context) }
        // The rate-limit link may have identified the caller already (ADR 0004).
        let principal: Principal?
        if let identified = context.identification { principal = try identified.get() } else {
            principal = try await identify(request)
        }
        try AuthMiddleware.authorize(principal, for: context.routeAccess)
        var context = context
        context.principal = principal
        return try await next(request, context)
    }

    func runs(on route: RouteFacts) -> Bool {
        AuthMiddleware.readsCredentials(template: route.template, access: route.access)
    }

    /// Whether this link looks at credentials on the route at all.
    static func readsCredentials(_ context: RequestContext) -> Bool {
        readsCredentials(template: context.routeTemplate, access: context.routeAccess)
    }

    static func readsCredentials(template: String, access: RouteAccess) -> Bool {
        let operational = access == .anyone && !template.hasPrefix("/api/")
        return access != .metricsToken && !operational
    }

    /// The caller the credentials name, nil without credentials; throws for bad ones.
    func identify(_ request: Request) async throws -> Principal? {
        let authorization = request.headers["Authorization"]
        let apiKey = request.headers["X-API-Key"]
        switch (authorization, apiKey) {
        case (nil, nil):
            return nil
        case (let header?, nil):
            guard let token = AuthMiddleware.bearerToken(header) else { throw AccessError.unauthenticated }
            return try await accessTokens.principal(accessToken: token)
        case (nil, let key?):
            return try await apiKeys.principal(apiKey: key)
        case (.some, .some):
            throw AppError.badRequest("Send either Authorization or X-API-Key, not both")
        }
    }

    /// `Bearer <token68>`; the scheme is case-insensitive (RFC 9110 §11.1).
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    static func authorize(_ principal: Principal?, for access: RouteAccess) throws(AccessError) {
        switch access {
        case .anyone, .metricsToken:
            return
        case .accessToken, .user, .admin:
            guard let principal else { throw .unauthenticated }
            guard principal.may(access) else { throw .forbidden }
        }
    }
}
