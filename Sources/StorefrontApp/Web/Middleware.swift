import HTTPCore

/// The rest of the chain, as seen from one link. `nonisolated(nonsending)` here, on the
/// links and on route handlers: they run where their caller runs (the connection's event
/// loop). A plain nonisolated async function hops to the generic executor on entry, which
/// with a task executor preference is a `swift_task_switch` and a status-record lock: 36 a
/// request through the full chain, about 7k instructions.
public typealias Next = nonisolated(nonsending) @Sendable (Request, RequestContext) async throws -> HTTPResponse

/// One link of the request pipeline, with one job. It may answer by itself, change the
/// request or context it passes on, or change the response coming back.
public protocol Middleware: Sendable {
    nonisolated(nonsending) func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse
}

/// The links in their fixed order, outermost first, ending in the route's handler.
/// Composed once: link i is called with a `Next` built at start-up that calls link i + 1,
/// and the last one calls the handler the request carries in its context. Built per
/// request, every link cost a closure allocated and freed.
struct MiddlewareChain: Sendable {
    let links: [any Middleware]
    private let entry: Next

    init(links: [any Middleware]) {
        self.links = links
        var next: Next = { request, context in
            guard let endpoint = context.endpoint else { throw AppError.notFound("No route for this path") }
            return try await endpoint(request, context)
        }
        for link in links.reversed() {
            let inner = next
            next = { request, context in try await link.handle(request, context: context, next: inner) }
        }
        entry = next
    }

    nonisolated(nonsending) func run(_ request: Request, context: RequestContext,
                                     endpoint: @escaping Next) async throws -> HTTPResponse {
        var context = context
        context.endpoint = endpoint
        return try await entry(request, context)
    }
}
