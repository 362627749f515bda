import Locking
import Foundation
import HTTPCore
import Synchronization
import Testing
@testable import StorefrontApp

@Suite struct TraceContextTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parent = "00f067aa0ba902b7"
    static let valid = "00-\(trace)-\(parent)-01"

    @Test(arguments: [
        (valid, true),
        ("00-\(trace)-\(parent)-00", true),
        ("00-\(trace)-\(parent)-ff", true),
        // A later version may append fields after a dash (§4.3).
        ("cc-\(trace)-\(parent)-01", true),
        ("cc-\(trace)-\(parent)-01-what-the-future-holds", true),
        ("", false),
        ("00", false),
        ("00-\(trace)-\(parent)", false),
        ("00-\(trace)-\(parent)-01-", false),
        ("00-\(trace)-\(parent)-01x", false),
        ("cc-\(trace)-\(parent)-01x", false),
        ("ff-\(trace)-\(parent)-01", false),
        ("00-\(trace.uppercased())-\(parent)-01", false),
        ("00-\(trace)-\(parent.uppercased())-01", false),
        ("00-\(trace)-\(parent)-0A", false),
        ("0A-\(trace)-\(parent)-01", false),
        ("00-00000000000000000000000000000000-\(parent)-01", false),
        ("00-\(trace)-0000000000000000-01", false),
        ("00-\(trace.dropLast())-\(parent)-01", false),
        ("00-\(trace)0-\(parent)-01", false),
        ("00-\(trace)-\(parent.dropLast())-01", false),
        ("00_\(trace)_\(parent)_01", false),
        ("00-\(trace.dropLast())g-\(parent)-01", false),
        (" 00-\(trace)-\(parent)-01", false),
        ("00-\(trace)-\(parent)-01 ", false),
        (String(repeating: "0", count: 4096), false),
    ])
    func traceparentIsParsedStrictly(value: String, accepted: Bool) {
        let parsed = TraceParent(value)
        #expect((parsed != nil) == accepted)
        if let parsed {
            #expect(parsed.traceID == TraceContextTests.trace)
            #expect(parsed.parentID == TraceContextTests.parent)
        }
    }

    static func isValidTraceparent(_ value: String?) -> Bool {
        guard let value, let parsed = TraceParent(value) else { return false }
        return value.hasPrefix("00-") && parsed.parentID.count == 16
    }

    @Test func aValidTraceparentIsContinuedWithTheServersOwnSpan() async throws {
        try await withApp { app in
            let response = try await app.get("/health", headers: "traceparent: \(TraceContextTests.valid)\r\n")
            let echoed = try #require(response.header("traceparent"))
            let parsed = try #require(TraceParent(echoed))
            #expect(parsed.traceID == TraceContextTests.trace)
            #expect(parsed.parentID != TraceContextTests.parent)
            #expect(echoed.hasSuffix("-01"))
            // The access line names the same trace and span.
            let line = try #require(app.logs.all.last { $0.contains("\"msg\":\"request\"") && $0.contains("/health") })
            #expect(line.contains("\"trace_id\":\"\(TraceContextTests.trace)\""))
            #expect(line.contains("\"span_id\":\"\(parsed.parentID)\""))
        }
    }

    @Test(arguments: [
        nil, "00-\(trace.uppercased())-\(parent)-01", "00-00000000000000000000000000000000-\(parent)-01",
        "garbage", "00-\(trace)-\(parent)-01-extra",
    ] as [String?])
    func aMissingOrMalformedTraceparentStartsANewTrace(value: String?) async throws {
        try await withApp { app in
            let response = try await app.get("/health", headers: value.map { "traceparent: \($0)\r\n" } ?? "")
            let echoed = response.header("traceparent")
            #expect(TraceContextTests.isValidTraceparent(echoed))
            #expect(echoed?.contains(TraceContextTests.trace) == false)
            #expect(echoed?.hasSuffix("-00") == true)
        }
    }

    @Test func twoTraceparentFieldsAreInvalidAndTracesDiffer() async throws {
        try await withApp { app in
            let twice = try await app.get("/health", headers: "traceparent: \(TraceContextTests.valid)\r\ntraceparent: \(TraceContextTests.valid)\r\n")
            #expect(twice.header("traceparent")?.contains(TraceContextTests.trace) == false)
            let first = try await app.get("/health").header("traceparent")
            let second = try await app.get("/health").header("traceparent")
            #expect(first != second)
        }
    }

    /// The context carries trace and tracestate to handlers; error lines carry the ids.
    @Test func contextCarriesTraceStateAndErrorLinesCarryTheIds() async throws {
        struct Boom: Error {}
        let logs = MemoryLogSink()
        let logger = Logger(sink: logs, minimumLevel: .debug)
        let seen = Locked<TraceContext?>(nil)
        let chain = MiddlewareChain(links: [TraceContextMiddleware(ids: TraceIDSource()), ErrorMiddleware(logger: logger)])
        let headers = HTTPHeaders([("traceparent", TraceContextTests.valid), ("tracestate", "rojo=00f067aa0ba902b7"),
                                   ("tracestate", "congo=t61rcWkgMzE")])
        let request = Request(http: HTTPRequest(head: HTTPRequestHead(
            method: .get, target: "/x", version: .http1_1, headers: headers, framing: .none,
            keepAlive: true, expectsContinue: false)))
        let response = try await chain.run(request, context: RequestContext(routeTemplate: "/x", clientIP: "")) { _, context in
            seen.withLock { $0 = context.trace }
            throw Boom()
        }
        #expect(response.status.code == 500)
        let trace = try #require(seen.withLock { $0 })
        #expect(trace.traceID == TraceContextTests.trace)
        #expect(trace.parentSpanID == TraceContextTests.parent)
        #expect(trace.traceState == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        #expect(response.headers["traceparent"] == trace.traceparent)
        let line = try #require(logs.all.first { $0.contains("unhandled error") })
        #expect(line.contains("\"trace_id\":\"\(trace.traceID)\"") && line.contains("\"span_id\":\"\(trace.spanID)\""))
    }

    @Test(arguments: [
        ([String](), nil), ([""], nil), (["a=1"], "a=1"), (["a=1", "b=2"], "a=1,b=2"),
        ([String(repeating: "k", count: 512) + "="], nil), (["a=\u{7F}"], nil), (["a=é"], nil),
    ] as [([String], String?)])
    func tracestateIsCarriedOnlyWhenWithinBounds(fields: [String], carried: String?) {
        #expect(TraceParent.traceState(fields) == carried)
    }

    @Test func everyNibbleBecomesItsLowercaseHexDigit() {
        #expect(String(decoding: (UInt8(0)...15).map(RandomBuffer.hexDigit), as: UTF8.self) == "0123456789abcdef")
    }

    @Test func newIdsAreWellFormedAndDistinct() {
        let source = TraceIDSource()
        var traces = Set<String>(), spans = Set<String>()
        for _ in 0..<500 {
            let ids = source.next()
            #expect(ids.trace.count == 32 && ids.span.count == 16)
            #expect(ids.trace.utf8.allSatisfy(TraceParent.isLowerHex) && ids.span.utf8.allSatisfy(TraceParent.isLowerHex))
            traces.insert(ids.trace)
            spans.insert(ids.span)
        }
        #expect(traces.count == 500 && spans.count == 500)
    }
}
