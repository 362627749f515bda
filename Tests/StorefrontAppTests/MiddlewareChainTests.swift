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
    /// headers, compression and CORS outside the error link so error answers carry them too
    /// (trace context beside the request id so every line has both), and CORS
    /// answering preflights before anything costly. The rate limiter inside the error link
    /// (its 429 gets the envelope) and before auth, so bad credentials are limited per IP.
    /// Auth before content negotiation so an anonymous caller learns nothing about what a
    /// route accepts. Idempotency innermost: it needs the caller. Links turned off by
    /// configuration are left out, the rest keep order.
    @Test(arguments: [
        (["CORS_ORIGINS": "https://shop.example.com"],
         ["RequestIDMiddleware", "TraceContextMiddleware", "AccessLogMiddleware", "SecurityHeadersMiddleware", "CompressionMiddleware", "CORSMiddleware",
          "ErrorMiddleware", "RateLimitMiddleware", "AuthMiddleware", "ContentNegotiationMiddleware", "IdempotencyMiddleware"]),
        ([:],
         ["RequestIDMiddleware", "TraceContextMiddleware", "AccessLogMiddleware", "SecurityHeadersMiddleware", "CompressionMiddleware",
          "ErrorMiddleware", "RateLimitMiddleware", "AuthMiddleware", "ContentNegotiationMiddleware", "IdempotencyMiddleware"]),
        (["RATE_LIMIT_ENABLED": "false"],
         ["RequestIDMiddleware", "TraceContextMiddleware", "AccessLogMiddleware", "SecurityHeadersMiddleware", "CompressionMiddleware",
          "ErrorMiddleware", "AuthMiddleware", "ContentNegotiationMiddleware", "IdempotencyMiddleware"]),
    ])
    func applicationChainOrderIsPinned(_ row: (environment: [String: String], links: [String])) throws {
        // Built, not started: the pool connects lazily, so no database is needed.
        let application = try Application(configuration: AppConfiguration.fromEnvironment(row.environment, cores: 1),
                                          logger: Logger(sink: MemoryLogSink(), minimumLevel: .info))
        let names = application.middleware.links.map { String(describing: type(of: $0)) }
        #expect(names == row.links)
    }
}
