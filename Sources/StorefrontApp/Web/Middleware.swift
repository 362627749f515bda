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

    /// False when the link hands every request of this route straight to `next`, unchanged:
    /// the chain composed for the route then leaves it out, and saves its frame, its copy of
    /// the context and its guard on every request. Must agree with the link's own guard,
    /// which still decides on the chain for unmatched paths; `MiddlewareChainTests` checks
    /// the two against every route.
    func runs(on route: RouteFacts) -> Bool
}

extension Middleware {
    public func runs(on route: RouteFacts) -> Bool { true }
}

/// The links in their fixed order, outermost first, ending in the route's handler.
/// Composed once at start-up: link i is called with a `Next` that calls link i + 1, and the
/// last one calls the handler the request carries in its context (built per request, every
/// link cost a closure allocated and freed). Each route gets its own composition without
/// the links that have nothing to do on it (on `/health`, four of ten); requests that
/// matched no route (404, 405, OPTIONS) go through every link.
struct MiddlewareChain: Sendable {
    let links: [any Middleware]
    private let entry: Next
    /// By `Route.id`; nil for ids the chain was not built with.
    private let entries: [Next?]

    init(links: [any Middleware], routes: [Route] = []) {
        self.links = links
        entry = MiddlewareChain.compose(links)
        var entries = [Next?](repeating: nil, count: (routes.map(\.id).max() ?? -1) + 1)
        for route in routes {
            entries[route.id] = MiddlewareChain.compose(links.filter { $0.runs(on: route.facts) })
        }
        self.entries = entries
    }

    private static func compose(_ links: [any Middleware]) -> Next {
        var next: Next = { request, context in
            guard let endpoint = context.endpoint else { throw AppError.notFound("No route for this path") }
            return try await endpoint(request, context)
        }
        var end = links.count
        while end > 0 {
            let inner = next
            // A run of synchronous links ending here becomes one step (see SynchronousLink).
            var start = end
            while start > 0, links[start - 1] is any SynchronousLink { start -= 1 }
            if start < end {
                let group = links[start..<end].compactMap { $0 as? any SynchronousLink }
                next = { request, context in try await SynchronousLinks.run(group, request, context: context, next: inner) }
                end = start
            } else {
                let link = links[end - 1]
                next = { request, context in try await link.handle(request, context: context, next: inner) }
                end -= 1
            }
        }
        return next
    }

    /// Runs the request through the composition for `route` (every link when nil).
    nonisolated(nonsending) func run(_ request: Request, context: RequestContext, route: Route? = nil,
                                     endpoint: @escaping Next) async throws -> HTTPResponse {
        var context = context
        context.endpoint = endpoint
        let composed = route.flatMap { $0.id < entries.count ? entries[$0.id] : nil } ?? entry
        return try await composed(request, context)
    }
}
