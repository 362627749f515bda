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
struct MiddlewareChain: Sendable {
    let links: [any Middleware]

    nonisolated(nonsending) func run(_ request: Request, context: RequestContext, endpoint: @escaping Next) async throws -> HTTPResponse {
        try await call(index: 0, request, context, endpoint)
    }

    nonisolated(nonsending) private func call(index: Int, _ request: Request, _ context: RequestContext,
                      _ endpoint: @escaping Next) async throws -> HTTPResponse {
        guard index < links.count else { return try await endpoint(request, context) }
        let link = links[index]
        return try await link.handle(request, context: context) { request, context in
            try await self.call(index: index + 1, request, context, endpoint)
        }
    }
}
