import HTTPCore
import Synchronization
import Testing
@testable import StorefrontApp

/// Records the order links run in, inbound and outbound.
private struct RecordingLink: Middleware {
    let name: String
    let trace: Trace
    func handle(_ request: Request, context: RequestContext, next: Next) async throws -> HTTPResponse {
        trace.append("\(name)>")
        let response = try await next(request, context)
        trace.append("<\(name)")
        return response
    }
}

private final class Trace: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

@Suite struct MiddlewareChainTests {
    @Test func linksRunOutermostFirstAndUnwindInReverse() async throws {
        let trace = Trace()
        let chain = MiddlewareChain(links: ["a", "b", "c"].map { RecordingLink(name: $0, trace: trace) })
        let request = Request(http: HTTPRequest(head: HTTPRequestHead(
            method: .get, target: "/", version: .http1_1, headers: HTTPHeaders(), framing: .none,
            keepAlive: true, expectsContinue: false)))
        _ = try await chain.run(request, context: RequestContext(routeTemplate: "/", clientIP: "")) { _, _ in
            trace.append("endpoint")
            return HTTPResponse(status: .ok)
        }
        #expect(trace.all == ["a>", "b>", "c>", "endpoint", "<c", "<b", "<a"])
    }

    /// The order is part of the contract: request id outermost so every line and body
    /// has it; logging outside the error link so it sees the final status; security
    /// headers outside the error link so error answers carry them too. Trace context beside
    /// the request id so every line has both; compression inside the access log (it logs
    /// the bytes sent) and outside the error link (large error bodies are compressed too).
    /// Auth inside the error link so 401/403 get the envelope, and before content
    /// negotiation so an anonymous caller learns nothing about what a route accepts.
    @Test func applicationChainOrderIsPinned() throws {
        // Built, not started: the pool connects lazily, so no database is needed.
        let application = try Application(configuration: AppConfiguration.fromEnvironment([:], cores: 1),
                                          logger: Logger(sink: MemoryLogSink(), minimumLevel: .info))
        let names = application.middleware.links.map { String(describing: type(of: $0)) }
        #expect(names == ["RequestIDMiddleware", "TraceContextMiddleware", "AccessLogMiddleware",
                          "SecurityHeadersMiddleware", "CompressionMiddleware", "ErrorMiddleware", "AuthMiddleware",
                          "ContentNegotiationMiddleware"])
    }
}
