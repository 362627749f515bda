import HTTPCore

/// Writes one log line per request: time, level, request_id, method, route template,
/// status, duration_ms, bytes, client ip. Never headers, bodies or query strings, so no
/// credential or secret can reach the log. Records the same facts in the request metrics.
struct AccessLogMiddleware: Middleware {
    let logger: Logger
    let metrics: RequestMetrics

    nonisolated(nonsending) func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try await next(request, context)
        } catch {
            // The error link answers everything; reaching here means it was bypassed.
            log(request: request, context: context, status: 500, bytes: 0)
            throw error
        }
        log(request: request, context: context, status: response.status.code, bytes: response.body.count)
        return response
    }

    private func log(request: Request, context: RequestContext, status: Int, bytes: Int) {
        let elapsed = ContinuousClock.now - context.startedAt
        metrics.record(route: context.routeTemplate, method: request.method, status: status, duration: elapsed)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let level: LogLevel = status >= 500 ? .error : .info
        logger.log(level, "request") { line in
            AccessLogMiddleware.fields(&line, requestID: context.requestID, method: request.method.rawValue,
                                       route: context.routeTemplate, status: status,
                                       durationMs: (ms * 1000).rounded() / 1000, bytes: bytes, clientIP: context.clientIP)
        }
    }

    /// The access line's fields, in their fixed order.
    static func fields(_ line: inout LogLine, requestID: String, method: String, route: String, status: Int,
                       durationMs: Double, bytes: Int, clientIP: String) {
        line.field("request_id", requestID)
        line.field("method", method)
        line.field("route", route)
        line.field("status", status)
        line.field("duration_ms", .double(durationMs))
        line.field("bytes", bytes)
        line.field("client_ip", clientIP)
    }
}
