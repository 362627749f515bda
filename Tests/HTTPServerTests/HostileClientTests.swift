import HTTPCore
import HTTPServer
import HTTPTestSupport
import Testing
import TestSupport

/// One hostile request: raw bytes in, the status the server must answer with out.
struct HostileRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: String
    let status: Int
    var testDescription: String { name }
}

@Suite(.blockingAllowed) struct HostileClientTests {
    static let chunkedHead = "POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"

    static let requests: [HostileRequest] = [
        HostileRequest(name: "second chunk size 7fffffffffffffff (crashed the process)",
                       raw: chunkedHead + "1\r\n{\r\n7fffffffffffffff\r\n", status: 413),
        HostileRequest(name: "first chunk size 7fffffffffffffff", raw: chunkedHead + "7fffffffffffffff\r\n", status: 413),
        HostileRequest(name: "chunk size past Int.max", raw: chunkedHead + "1\r\n{\r\nffffffffffffffff\r\n", status: 400),
        HostileRequest(name: "Content-Length Int.max", raw: "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775807\r\n\r\n",
                       status: 413),
        HostileRequest(name: "Content-Length past Int.max", raw: "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 9223372036854775808\r\n\r\n",
                       status: 400),
        HostileRequest(name: "framing overhead over the payload",
                       raw: chunkedHead + String(repeating: "1;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nz\r\n", count: 200), status: 400),
        HostileRequest(name: "empty chunk size", raw: chunkedHead + "\r\n", status: 400),
        HostileRequest(name: "trailer flood", raw: chunkedHead + "0\r\n" + String(repeating: "t:\r\n", count: 101) + "\r\n", status: 431),
    ]

    @Test(arguments: requests)
    func hostileRequestGetsItsAnswerAndTheServerKeepsServing(request: HostileRequest) async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(request.raw)
            #expect(try client.readResponse().status == request.status)
            #expect(client.readsEndOfStream())
            let next = try RawHTTPClient(port: port)
            try next.send("GET /still-up HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try next.readResponse().bodyText == "GET /still-up 0")
        }
    }

    @Test func allHostileRequestsAtOnceOnParallelConnections() async throws {
        try await withServer { _, port in
            let clients = try Self.requests.map { _ in try RawHTTPClient(port: port) }
            for (client, request) in zip(clients, Self.requests) { try client.send(request.raw) }
            for (client, request) in zip(clients, Self.requests) {
                #expect(try client.readResponse().status == request.status, "\(request.name)")
            }
        }
    }

    /// RFC 9110 §9.3.2: a response to HEAD carries no content, rejections included.
    @Test(arguments: [
        HostileRequest(name: "body over the limit", raw: "HEAD /x HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n", status: 413),
        HostileRequest(name: "malformed header", raw: "HEAD /x HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", status: 400),
        HostileRequest(name: "after an empty line", raw: "\r\nHEAD /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        HostileRequest(name: "broken chunked body", raw: "HEAD /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                       status: 400),
        HostileRequest(name: "chunked body over the limit",
                       raw: "HEAD /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n", status: 413),
        HostileRequest(name: "unsupported version", raw: "HEAD /x HTTP/2.0\r\nHost: x\r\n\r\n", status: 505),
    ])
    func rejectionOfAHeadRequestHasNoBody(request: HostileRequest) async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(request.raw)
            let response = try client.readResponse(headRequest: true)
            #expect(response.status == request.status)
            #expect(client.bytesBeforeEndOfStream() == [])
        }
    }

    @Test func headRequestTimedOutHasNoBody() async throws {
        try await withServer({ $0.headerTimeoutMs = 200 }) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("HEAD /x HTTP/1.1\r\nHost: x\r\n")
            #expect(try client.readResponse(headRequest: true).status == 408)
            #expect(client.bytesBeforeEndOfStream() == [])
        }
    }

    @Test func headRequestWhoseBodyTimesOutHasNoBody() async throws {
        try await withServer({ $0.bodyTimeoutMs = 200; $0.headerTimeoutMs = 60_000 }) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("HEAD /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
            #expect(try client.readResponse(headRequest: true).status == 408)
            #expect(client.bytesBeforeEndOfStream() == [])
        }
    }
}
