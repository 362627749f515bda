import HTTPCore

/// The rest of the chain, as seen from one link.
public typealias Next = @Sendable (Request, RequestContext) async throws -> HTTPResponse

/// One link of the request pipeline, with one job. It may answer by itself, change the
/// request or context it passes on, or change the response coming back.
public protocol Middleware: Sendable {
    func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse
}

/// The links in their fixed order, outermost first, ending in the route's handler.
struct MiddlewareChain: Sendable {
    let links: [any Middleware]

    func run(_ request: Request, context: RequestContext, endpoint: @escaping Next) async throws -> HTTPResponse {
        try await call(index: 0, request, context, endpoint)
    }

    private func call(index: Int, _ request: Request, _ context: RequestContext,
                      _ endpoint: @escaping Next) async throws -> HTTPResponse {
        guard index < links.count else { return try await endpoint(request, context) }
        let link = links[index]
        return try await link.handle(request, context: context) { request, context in
            try await self.call(index: index + 1, request, context, endpoint)
        }
    }
}
