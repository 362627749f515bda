import HTTPCore
@testable import HTTPServer
import HTTPTestSupport
import Testing
import TestSupport

@Suite(.blockingAllowed) struct ConnectionTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            for index in 0..<3 {
                try client.send("GET /r\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyText == "GET /r\(index) 0")
                #expect(response.header("Connection") == nil)
            }
        }
    }

    @Test func threePipelinedRequestsInOneWriteAreAnsweredInOrder() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                            + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().bodyText == "GET /a 0")
            #expect(try client.readResponse().bodyText == "POST /b 3")
            #expect(try client.readResponse().bodyText == "GET /c 0")
        }
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send("hello")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.bodyText == "hello")
        }
    }

    @Test func expectContinueOverTheLimitGets413InsteadOf100() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\nExpect: 100-continue\r\n\r\n")
            #expect(try client.readResponse().status == 413)
            #expect(client.readsEndOfStream())
        }
    }

    @Test func chunkedBodyWithExtensionsAndTrailersIsDecoded() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyText == "hello world")
            // The connection stays usable after a chunked body.
            try client.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().bodyText == "GET /after 0")
        }
    }

    @Test func declaredBodyOverTheLimitIs413WithoutReadingItAndCloses() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(client.readsEndOfStream())
        }
    }

    @Test func chunkedBodyOverTheLimitIs413() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n")
            #expect(try client.readResponse().status == 413)
        }
    }

    @Test func headerSectionOverTheLimitIs431() async throws {
        try await withServer({ $0.parserLimits.maxHeaderBytes = 1024 }) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n")
            #expect(try client.readResponse().status == 431)
            #expect(client.readsEndOfStream())
        }
    }

    @Test func requestLineOverTheLimitIs414() async throws {
        try await withServer({ $0.parserLimits.maxRequestLineBytes = 256 }) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET /\(String(repeating: "a", count: 600)) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 414)
        }
    }

    @Test func malformedRequestGets400AndTheConnectionCloses() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.header("Connection") == "close")
            #expect(client.readsEndOfStream())
        }
    }

    @Test func headAnswersWithTheLengthButNoBody() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /y HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readResponse(headRequest: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "9")
            #expect(head.body.isEmpty)
            // The next response starts right where the head ended: no stray body bytes.
            #expect(try client.readResponse().bodyText == "GET /y 0")
        }
    }

    @Test func http10ClosesAfterTheResponseUnlessAskedToKeepAlive() async throws {
        try await withServer { _, port in
            let closing = try RawHTTPClient(port: port)
            try closing.send("GET /old HTTP/1.0\r\n\r\n")
            #expect(try closing.readResponse().header("Connection") == "close")
            #expect(closing.readsEndOfStream())

            let keeping = try RawHTTPClient(port: port)
            try keeping.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keeping.readResponse().header("Connection") == "keep-alive")
            try keeping.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keeping.readResponse().bodyText == "GET /b 0")
        }
    }

    @Test func everyResponseCarriesADate() async throws {
        try await withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let date = try #require(try client.readResponse().header("Date"))
            #expect(date.hasSuffix(" GMT"))
            #expect(date.count == 29)
        }
    }
}

@Suite(.blockingAllowed) struct ConnectionBalanceTests {
    /// A burst of connections wakes one idle loop, which used to take them all (wrk's 64
    /// all on one loop, the other idle). Each now goes to the loop with the fewest.
    @Test func aBurstOfConnectionsIsSpreadEvenlyOverTheLoops() async throws {
        try await withServer { server, port in
            let clients = try (0..<40).map { _ in try RawHTTPClient(port: port) }
            for (index, client) in clients.enumerated() {
                try client.send("GET /c\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            let counts = server.core.loops.map { $0.assignedConnections.load(ordering: .relaxed) }
            #expect(counts.reduce(0, +) == 40)
            #expect((counts.max() ?? 0) - (counts.min() ?? 0) <= 2, "\(counts)")
            #expect(server.openConnections == 40)
        }
    }
}
