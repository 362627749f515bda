import HTTPCore

/// A link that never awaits anything itself: it works on the way in (`before`) and on the
/// way out (`after`). The chain fuses a run of such links into one step, so the request id,
/// trace context, access log, security headers, compression, CORS and error links cost one
/// async frame between them instead of one each. With a task executor preference every
/// frame's return is a `swift_task_switch` that takes the task's status-record lock to look
/// the preference up: 17 of them a request through the full chain, about 6k instructions.
protocol SynchronousLink: Middleware {
    /// On the way in. A response returned here answers at once: the rest of the chain and
    /// this link's `after` are skipped, the outer links' `after` still run. A thrown error
    /// goes out as if the rest of the chain had thrown it. May enrich the context.
    func before(_ request: Request, context: inout RequestContext) throws -> HTTPResponse?

    /// On the way out, with what came back from inside: a response, or the error thrown.
    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome)
}

extension SynchronousLink {
    func before(_ request: Request, context: inout RequestContext) throws -> HTTPResponse? { nil }
    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {}

    /// Alone, a synchronous link behaves as any other link (tests compose them this way).
    public nonisolated(nonsending) func handle(_ request: Request, context: RequestContext,
                                               next: Next) async throws -> HTTPResponse {
        try await SynchronousLinks.run([self], request, context: context, next: next)
    }
}

/// What the inner part of the chain produced, as the links outside it see it.
enum LinkOutcome {
    case answered(HTTPResponse)
    case failed(any Error)
    /// Only while `updateResponse` holds the response, so that it is uniquely referenced and
    /// changing a header does not copy the whole field list.
    case taken

    /// Changes the response in place; nothing happens to an error.
    mutating func updateResponse(_ body: (inout HTTPResponse) -> Void) {
        guard case .answered(var response) = self else { return }
        self = .taken
        body(&response)
        self = .answered(response)
    }

    func get() throws -> HTTPResponse {
        switch self {
        case .answered(let response): return response
        case .failed(let error): throw error
        case .taken: throw AppError(.internalError, "A link lost the response")
        }
    }
}

/// Runs a group of consecutive synchronous links around the rest of the chain.
enum SynchronousLinks {
    nonisolated(nonsending) static func run(_ links: [any SynchronousLink], _ request: Request,
                                            context: RequestContext, next: Next) async throws -> HTTPResponse {
        var context = context
        let traceBefore = context.trace
        var enteredCount = 0
        var early: LinkOutcome?
        do {
            while enteredCount < links.count {
                if let response = try links[enteredCount].before(request, context: &context) {
                    early = .answered(response)
                    break
                }
                enteredCount += 1
            }
        } catch {
            early = .failed(error)
        }
        // The rest, and the way back out, run in the request's trace once a link of this
        // group has found it, so every line logged there names it. The rest is awaited
        // right here, in this frame or the scope's closure, and the way out is synchronous:
        // each async frame between cost a `swift_task_switch` and its status-record lock.
        let entered = links.prefix(enteredCount)
        if let early { return try finish(entered, early, request, context: context) }
        if traceBefore == nil, let trace = context.trace {
            return try await LogScope.$trace.withValue(trace) {
                let outcome: LinkOutcome
                do { outcome = .answered(try await next(request, context)) } catch { outcome = .failed(error) }
                return try finish(entered, outcome, request, context: context)
            }
        }
        let outcome: LinkOutcome
        do { outcome = .answered(try await next(request, context)) } catch { outcome = .failed(error) }
        return try finish(entered, outcome, request, context: context)
    }

    /// The way back out: each entered link's `after`, innermost first.
    private static func finish(_ entered: ArraySlice<any SynchronousLink>, _ inner: LinkOutcome,
                               _ request: Request, context: RequestContext) throws -> HTTPResponse {
        var outcome = inner
        for link in entered.reversed() { link.after(request, context: context, outcome: &outcome) }
        return try outcome.get()
    }
}
