import HTTPCore
import HTTPServer

/// The bridge from the HTTP server to the application: resolve the route, then run the
/// middleware chain around the route's handler. 404, 405 and OPTIONS go through the same
/// chain, so they get request ids, logging and security headers like everything else.
final class AppHandler: HTTPRequestHandler {
    let router: Router
    let chain: MiddlewareChain
    let clientAddress: ClientAddress
    let requestIDs: RequestIDGenerator
    let logger: Logger
    let metrics: RequestMetrics

    init(router: Router, chain: MiddlewareChain, clientAddress: ClientAddress,
         requestIDs: RequestIDGenerator, logger: Logger, metrics: RequestMetrics = RequestMetrics(templates: [])) {
        self.router = router
        self.chain = chain
        self.clientAddress = clientAddress
        self.requestIDs = requestIDs
        self.logger = logger
        self.metrics = metrics
    }

    nonisolated(nonsending) func handle(_ http: HTTPRequest) async throws -> HTTPResponse {
        let match = router.match(method: http.head.method, path: http.head.path)
        let clientIP = clientAddress.resolve(peer: http.remoteAddress,
                                             forwardedFor: http.head.headers.values("X-Forwarded-For"))
        var request = Request(http: http)
        let template: String
        var access = RouteAccess.anyone
        let endpoint: Next
        var matched: Route?
        switch match {
        case .found(let route, let parameters):
            matched = route
            template = route.template
            access = route.access
            request.pathParameters = parameters
            endpoint = route.handler
        case .methodNotAllowed(let path, let allow):
            template = path
            let allowed = allow.map(\.rawValue).joined(separator: ", ")
            endpoint = { _, _ in
                throw AppError(.methodNotAllowed, "Method not allowed on this resource", headers: [("Allow", allowed)])
            }
        case .options(let path, let allow):
            template = path
            let allowed = allow.map(\.rawValue).joined(separator: ", ")
            endpoint = { _, _ in HTTPResponse(status: .noContent, headers: HTTPHeaders([("Allow", allowed)])) }
        case .serverOptions(let allow):
            template = "*"
            let allowed = allow.map(\.rawValue).joined(separator: ", ")
            endpoint = { _, _ in HTTPResponse(status: .ok, headers: HTTPHeaders([("Allow", allowed)])) }
        case .notFound:
            template = "(unmatched)"
            endpoint = { _, _ in throw AppError.notFound("No route for this path") }
        }
        var context = RequestContext(routeTemplate: template, routeAccess: access, clientIP: clientIP)
        context.routeID = matched?.id
        return try await chain.run(request, context: context, route: matched, endpoint: endpoint)
    }

    /// Requests the server refused while reading them never reach the chain; they still
    /// get the envelope, a request id, the security headers and an access-log line.
    func response(for error: HTTPParseError, remoteAddress: String) -> HTTPResponse {
        let requestID = requestIDs.next()
        let code = ErrorCode.forTransportStatus(error.status.code)
        var response = ErrorEnvelope.response(for: AppError(code, error.reason), requestID: requestID)
        response.headers.set("X-Request-Id", requestID)
        SecurityHeadersMiddleware.apply(to: &response)
        metrics.recordRejected(status: response.status.code)
        logger.log(.info, "request") { line in
            AccessLogMiddleware.fields(&line, requestID: requestID, method: "-", route: "(rejected)",
                                       status: response.status.code, durationMicros: 0, bytes: response.body.count,
                                       clientIP: remoteAddress)
        }
        return response
    }
}
