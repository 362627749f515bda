import HTTPCore

/// The rate-limit link (API.md, Rate limits): every `/api/v1` request spends one request
/// of exactly one budget, and every `/api/v1` answer — 401, 404 and its own 429 included —
/// reports that budget in both header families. Operational endpoints are not limited.
///
/// It runs before the auth link (ADR 0004), so a caller with bad credentials is limited
/// per IP like an anonymous one and still gets the headers on its 401. To key callers
/// with good credentials by user or key it asks the auth link to identify them first and
/// hands the result down, so credentials are verified once per request.
struct RateLimitMiddleware: Middleware {
    let store: any RateLimitStore
    let quotas: RateLimitQuotas
    let rejections: RateLimitRejections
    let identify: @Sendable (Request) async throws -> Principal?

    nonisolated(nonsending) func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse {
        guard RateLimitMiddleware.isLimited(request.path) else { return try await next(request, context) }
        var context = context
        let key = try await bucket(for: request, context: &context)
        let quota = quotas[key.policy]
        let decision: RateLimitDecision
        do {
            decision = try await store.acquire(key, quota: quota)
        } catch {
            // A shared store that cannot answer: keep serving, except where the budget
            // is what protects passwords from guessing.
            if key.policy == .auth { throw AppError.unavailable("Rate limiting is unavailable; retry shortly") }
            return try await next(request, context)
        }
        let fields = RateLimitMiddleware.fields(key.policy, decision)
        guard decision.allowed else {
            rejections.record(key.policy)
            throw AppError(.rateLimited, "Too many requests; retry after \(decision.retryAfterSeconds) s",
                           headers: fields + [("Retry-After", String(decision.retryAfterSeconds))])
        }
        do {
            var response = try await next(request, context)
            for (name, value) in fields { response.headers.add(name, value) }
            return response
        } catch {
            throw ErrorWithHeaders(error, headers: fields)
        }
    }

    /// Login and register per IP, before their bodies are read; otherwise the caller's key,
    /// else user, else IP. Credentials that fail verification count against the IP.
    private func bucket(for request: Request, context: inout RequestContext) async throws -> BucketKey {
        if request.method == .post && RateLimitMiddleware.authTemplates.contains(context.routeTemplate) {
            return address(.auth, context)
        }
        guard AuthMiddleware.readsCredentials(context),
              request.headers.contains("Authorization") || request.headers.contains("X-API-Key") else {
            return address(.anon, context)
        }
        let identified: Result<Principal?, any Error>
        do { identified = .success(try await identify(request)) } catch { identified = .failure(error) }
        context.identification = identified
        switch identified {
        case .success(let principal?):
            if case .apiKey(let id, _) = principal.credential { return BucketKey(policy: .key, id: id) }
            return BucketKey(policy: .user, id: principal.userID)
        case .success(nil), .failure:
            return address(.anon, context)
        }
    }

    private func address(_ policy: RateLimitPolicy, _ context: RequestContext) -> BucketKey {
        // The resolved client IP always parses; an empty one (a socket without an address)
        // shares one bucket rather than escaping limits.
        BucketKey(policy: policy, address: CIDR.parseAddress(context.clientIP) ?? [0, 0, 0, 0])
    }

    static let authTemplates: Set<String> = ["/api/v1/auth/login", "/api/v1/auth/register"]

    /// A route's template starts with the same literal segments as every path it matches.
    func runs(on route: RouteFacts) -> Bool { RateLimitMiddleware.isLimited(route.template[...]) }

    static func isLimited(_ path: Substring) -> Bool {
        path == "/api/v1" || path.hasPrefix("/api/v1/")
    }

    /// `X-RateLimit-*` (Reset in delta seconds) and the IETF draft's `RateLimit-Policy` /
    /// `RateLimit` structured fields, from one decision so the two families always agree.
    static func fields(_ policy: RateLimitPolicy, _ decision: RateLimitDecision) -> [(String, String)] {
        let name = policy.rawValue
        return [
            ("X-RateLimit-Limit", String(decision.limit)),
            ("X-RateLimit-Remaining", String(decision.remaining)),
            ("X-RateLimit-Reset", String(decision.resetSeconds)),
            ("RateLimit-Policy", "\"\(name)\";q=\(decision.limit);w=\(RateLimitQuota.windowSeconds)"),
            ("RateLimit", "\"\(name)\";r=\(decision.remaining);t=\(decision.resetSeconds)"),
        ]
    }
}
