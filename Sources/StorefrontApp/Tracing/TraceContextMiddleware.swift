import HTTPCore

/// Joins the caller's trace (W3C `traceparent`) or starts one, keeps it on the context,
/// puts its ids in every log line written while the request runs, and answers with a
/// `traceparent` naming this server's span. The log scope is set by the group of
/// synchronous links this one runs in (`SynchronousLinks.run`), from `context.trace`.
struct TraceContextMiddleware: SynchronousLink {
    let ids: TraceIDSource

    func before(_ request: Request, context: inout RequestContext) throws -> HTTPResponse? {
        // One pass over the fields; nothing is allocated when neither header is sent.
        var parents: [String] = [], states: [String] = []
        for field in request.headers.fields {
            if field.name.asciiCaseInsensitiveEquals("traceparent") {
                parents.append(field.value)
            } else if field.name.asciiCaseInsensitiveEquals("tracestate") {
                states.append(field.value)
            }
        }
        context.trace = TraceContext.from(traceparent: parents, tracestate: states, ids: ids)
        return nil
    }

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        guard let trace = context.trace else { return }
        // Handlers never set it: no need to scan for an old value.
        outcome.updateResponse { $0.headers.add("traceparent", trace.traceparent) }
    }
}

/// What the logger adds to every line of the current task. Controllers and services log
/// without a request context in hand; a task-local reaches them without threading it
/// through every call.
enum LogScope {
    @TaskLocal static var trace: TraceContext?
}
