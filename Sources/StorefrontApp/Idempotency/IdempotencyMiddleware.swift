import HTTPCore

/// API.md, Idempotency, for every POST under /api/v1: a request with an `Idempotency-Key`
/// from an authenticated caller runs once, inside the transaction that stores its answer,
/// and a retry gets that answer back with `Idempotent-Replayed: true`.
///
/// Keys are scoped to the caller's user id (a key and its owner's bearer token share one
/// scope). Anonymous POSTs (register, login, refresh, logout) are not stored: their answers
/// are tokens or nothing, which must not sit in plain text in a table, and there is no
/// caller to scope them to but an IP address shared by strangers behind one NAT. Their
/// header is still checked, so a malformed key is 400 everywhere. The same holds for
/// `unstoredRoutes`, whose answers carry a secret shown exactly once (a new API key).
struct IdempotencyMiddleware: Middleware {
    static let header = "Idempotency-Key"
    let service: IdempotencyService
    let unstoredRoutes: Set<String>

    nonisolated(nonsending) func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse {
        guard IdempotencyMiddleware.stores(method: request.method, template: context.routeTemplate),
              let key = try IdempotencyMiddleware.key(of: request)
        else { return try await next(request, context) }
        guard let principal = context.principal, !unstoredRoutes.contains(context.routeTemplate) else {
            return try await next(request, context)
        }
        let fingerprint = try RequestFingerprint(method: request.method.rawValue, target: request.http.head.target,
                                                 body: request.body)
        let outcome: IdempotentOutcome<HTTPResponse>
        do {
            outcome = try await service.once(userID: principal.userID, key: key, fingerprint: fingerprint,
                                             stored: StoredResponse.init) {
                try await IdempotencyMiddleware.run(next, request, context)
            }
        } catch let unstored as UnstoredAnswer {
            return unstored.response
        }
        switch outcome {
        case .fresh(let response):
            return response
        case .replayed(let stored):
            var response = stored.httpResponse
            response.headers.set("Idempotent-Replayed", "true")
            return response
        }
    }

    func runs(on route: RouteFacts) -> Bool { IdempotencyMiddleware.stores(method: route.method, template: route.template) }

    /// Only POSTs under /api/v1 are ever stored.
    private static func stores(method: HTTPMethod, template: String) -> Bool {
        method == .post && template.hasPrefix("/api/v1/")
    }

    /// The request's key: nil without the header; 400 when it is malformed or repeated.
    static func key(of request: Request) throws(IdempotencyError) -> IdempotencyKey? {
        let values = request.headers.values(header)
        guard !values.isEmpty else { return nil }
        guard values.count == 1 else { throw .repeatedKey }
        guard let key = IdempotencyKey(header: values[0]) else { throw .malformedKey }
        return key
    }

    /// The rest of the chain, its outcome sorted into what is stored: a client error is
    /// rendered here (its writes undone, its answer kept); a 5xx, thrown or returned, leaves
    /// nothing behind and goes back out as it came.
    nonisolated(nonsending) private static func run(_ next: Next, _ request: Request, _ context: RequestContext) async throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try await next(request, context)
        } catch {
            guard let appError = ErrorMiddleware.clientFacing(error), appError.code.status.code < 500 else { throw error }
            throw IdempotentFailure(answer: ErrorEnvelope.response(for: appError, requestID: context.requestID))
        }
        guard response.status.code < 500 else { throw UnstoredAnswer(response: response) }
        return response
    }
}

/// A 5xx a handler returned rather than threw: it rolls the transaction back like a thrown one.
private struct UnstoredAnswer: Error, Sendable {
    let response: HTTPResponse
}

extension StoredResponse {
    init(_ response: HTTPResponse) {
        self.init(status: response.status.code, contentType: response.headers["Content-Type"],
                  location: response.headers["Location"], etag: response.headers["ETag"], body: response.body)
    }

    var httpResponse: HTTPResponse {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        if let location { headers.add("Location", location) }
        if let etag { headers.add("ETag", etag) }
        return HTTPResponse(status: HTTPStatus(code: status), headers: headers, body: body)
    }
}
