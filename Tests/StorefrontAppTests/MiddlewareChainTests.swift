import Locking
import Foundation
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

/// Records its steps; answers early or throws on the way in when told to.
private struct RecordingSyncLink: SynchronousLink {
    enum Action: Sendable { case pass, answer, fail }
    let name: String
    let trace: Trace
    var action: Action = .pass

    func before(_ request: Request, context: inout RequestContext) throws -> HTTPResponse? {
        trace.append("\(name)>")
        context.requestID += name
        switch action {
        case .pass: return nil
        case .answer: return HTTPResponse(status: .accepted)
        case .fail: throw AppError.badRequest("refused by \(name)")
        }
    }

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        switch outcome {
        case .answered(let response): trace.append("<\(name) \(response.status.code) \(context.requestID)")
        case .failed, .taken: trace.append("<\(name) error")
        }
    }
}

private final class Trace: Sendable {
    private let entries = Locked<[String]>([])
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

    /// Synchronous links are fused into one step of the chain, with the same order and the
    /// same rules as separate links: an early answer skips the rest and the answering link's
    /// own `after`; an error thrown on the way in reaches the outer links' `after`, and the
    /// error link turns it into a response; an async link between them splits the group, and
    /// what the inner group adds to the context stays inside it, as with separate links.
    @Test(arguments: [
        (RecordingSyncLink.Action.pass,
         ["a>", "b>", "c>", "d>", "endpoint", "<d 200 abd", "<c", "<b 200 ab", "<a 200 ab"], 200),
        (.answer, ["a>", "b>", "c>", "d>", "<c", "<b 202 ab", "<a 202 ab"], 202),
        // The plain link c sees the error go by (it records only answers).
        (.fail, ["a>", "b>", "c>", "d>", "<b 400 ab", "<a 400 ab"], 400),
    ])
    fileprivate func synchronousLinksKeepTheChainsRules(action: RecordingSyncLink.Action, expected: [String], status: Int) async throws {
        let trace = Trace()
        let links: [any Middleware] = [
            RecordingSyncLink(name: "a", trace: trace),
            RecordingSyncLink(name: "b", trace: trace),
            ErrorMiddleware(logger: Logger(sink: MemoryLogSink(), minimumLevel: .error)),
            RecordingLink(name: "c", trace: trace),
            RecordingSyncLink(name: "d", trace: trace, action: action),
        ]
        let chain = MiddlewareChain(links: links)
        let request = Request(http: HTTPRequest(head: HTTPRequestHead(
            method: .get, target: "/", version: .http1_1, headers: HTTPHeaders(), framing: .none,
            keepAlive: true, expectsContinue: false)))
        let response = try await chain.run(request, context: RequestContext(routeTemplate: "/", clientIP: "")) { _, _ in
            trace.append("endpoint")
            return HTTPResponse(status: .ok)
        }
        #expect(response.status.code == status)
        #expect(trace.all == expected)
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

    /// A route's composition leaves out the links whose `runs(on:)` is false; that is only
    /// safe if each of them, run anyway, would hand the route's requests on untouched. Every
    /// route of the application, with a request that makes a running link act: a bearer
    /// token that does not verify (auth answers 401), `Accept: text/html` with a text body
    /// (content negotiation answers 406 or 415), a malformed idempotency key (400), and any
    /// `/api/v1` path (the limiter adds its fields). None of it needs a database. And the other way round: a link that says it runs on a
    /// route does act on it, so `runs(on:)` cannot pass by being false everywhere.
    @Test func linksLeftOutOfARouteWouldHavePassedItsRequestsThrough() async throws {
        let application = try Application(
            configuration: AppConfiguration.fromEnvironment(["CORS_ORIGINS": "https://shop.example.com"], cores: 1),
            logger: Logger(sink: MemoryLogSink(), minimumLevel: .info))
        let guarded: Set<String> = ["RateLimitMiddleware", "AuthMiddleware", "ContentNegotiationMiddleware", "IdempotencyMiddleware"]
        var skipped = 0, ran = 0
        for route in application.router.routes {
            let path = route.template.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: UUID().uuidString.lowercased(),
                                                           options: .regularExpression)
            let http = HTTPRequest(head: HTTPRequestHead(
                method: route.method, target: path, version: .http1_1,
                headers: HTTPHeaders([("Authorization", "Bearer not-a-token"), ("Accept", "text/html"),
                                      ("Content-Type", "text/plain"), ("Idempotency-Key", "\"unclosed")]),
                framing: .none, keepAlive: true, expectsContinue: false), body: Array("x".utf8))
            let request = Request(http: http)
            var context = RequestContext(routeTemplate: route.template, routeAccess: route.access, clientIP: "127.0.0.1")
            context.requestID = "r-1"
            for link in application.middleware.links where guarded.contains(String(describing: type(of: link))) {
                let name = String(describing: type(of: link))
                let calls = CallCounter()
                let outcome: Result<HTTPResponse, any Error>
                do {
                    outcome = .success(try await link.handle(request, context: context) { _, _ in
                        calls.increment()
                        return HTTPResponse(status: .accepted, headers: HTTPHeaders([("X-Sentinel", "1")]))
                    })
                } catch { outcome = .failure(error) }
                let untouched: Bool
                if case .success(let response) = outcome {
                    untouched = response.status == .accepted && response.headers.fields.count == 1 && calls.value == 1
                } else {
                    untouched = false
                }
                if link.runs(on: route.facts) {
                    ran += 1
                    #expect(!untouched, "\(name) says it runs on \(route.method.rawValue) \(route.template) but passed it through")
                } else {
                    skipped += 1
                    #expect(untouched, "\(name) is left out of \(route.method.rawValue) \(route.template) but acted on it")
                }
            }
        }
        // Both sides are exercised: operational routes skip all four, /api/v1 routes run some.
        #expect(skipped > 0 && ran > 0)
    }
}

private final class CallCounter: Sendable {
    private let count = Locked(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
