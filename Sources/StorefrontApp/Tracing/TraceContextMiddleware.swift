import HTTPCore

/// Joins the caller's trace (W3C `traceparent`) or starts one, keeps it on the context,
/// puts its ids in every log line written while the request runs, and answers with a
/// `traceparent` naming this server's span.
struct TraceContextMiddleware: Middleware {
    let ids: TraceIDSource

    nonisolated(nonsending) func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse {
        var context = context
        // One pass over the fields; nothing is allocated when neither header is sent.
        var parents: [String] = [], states: [String] = []
        for field in request.headers.fields {
            if field.name.asciiCaseInsensitiveEquals("traceparent") {
                parents.append(field.value)
            } else if field.name.asciiCaseInsensitiveEquals("tracestate") {
                states.append(field.value)
            }
        }
        let trace = TraceContext.from(traceparent: parents, tracestate: states, ids: ids)
        context.trace = trace
        var response = try await LogScope.$trace.withValue(trace) { try await next(request, context) }
        // Handlers never set it: no need to scan for an old value.
        response.headers.add("traceparent", trace.traceparent)
        return response
    }
}

/// What the logger adds to every line of the current task. Controllers and services log
/// without a request context in hand; a task-local reaches them without threading it
/// through every call.
enum LogScope {
    @TaskLocal static var trace: TraceContext?
}
