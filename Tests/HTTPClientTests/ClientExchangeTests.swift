import HTTPClient
import HTTPCore
import ReceiverTestSupport
import Testing

@Suite struct ClientExchangeTests {
    @Test func getOverHTTPReturnsStatusHeadersAndBody() async throws {
        let server = try TestServer { _ in .text("HTTP/1.1 200 OK\r\nX-Test: yes\r\nContent-Length: 5\r\n\r\nhello") }
        defer { server.stop() }
        let client = try loopbackClient()
        let response = try await client.send(HTTPClientRequest(url: server.url + "/path?q=1"), timeout: .seconds(30))
        #expect(response.status.code == 200)
        #expect(response.headers["x-test"] == "yes")
        #expect(response.body == Array("hello".utf8))
        let sent = String(decoding: try #require(server.requests.first), as: UTF8.self)
        #expect(sent == "GET /path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nConnection: close\r\n\r\n")
    }

    @Test func postOverHTTPSendsBodyAndHeaders() async throws {
        let server = try TestServer(reply: echoReply)
        defer { server.stop() }
        let client = try loopbackClient()
        let body = Array(#"{"id":"evt_1"}"#.utf8)
        let request = HTTPClientRequest(method: .post, url: server.url + "/hook",
                                        headers: HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "999"),
                                                              ("Connection", "keep-alive")]),
                                        body: body)
        let response = try await client.send(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
        #expect(response.body == body)
        let sent = String(decoding: try #require(server.requests.first), as: UTF8.self)
        // The client's own framing wins over the caller's headers.
        #expect(sent.hasPrefix("POST /hook HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"))
    }

    @Test(arguments: ["localhost", "127.0.0.1"])
    func getAndPostOverHTTPS(host: String) async throws {
        let pki = try await TestPKI.shared.value
        let server = try TestServer(tls: pki.good, reply: echoReply)
        defer { server.stop() }
        let client = try loopbackClient(caFile: pki.caFile)
        let get = try await client.send(HTTPClientRequest(url: server.url(host: host) + "/"), timeout: .seconds(30))
        #expect(get.status.code == 200)
        #expect(get.body.isEmpty)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
        let post = try await client.send(HTTPClientRequest(method: .post, url: server.url(host: host) + "/hook", body: body),
                                         timeout: .seconds(30))
        #expect(post.body == body)
        // SNI carries a host name, never an IP literal (RFC 6066 §3).
        #expect(server.serverNames == (host == "localhost" ? ["localhost", "localhost"] : ["", ""]))
    }

    @Test func chunkedAndCloseDelimitedBodiesAreDecoded() async throws {
        let chunked = try TestServer { _ in
            .drip([Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel".utf8), Array("lo\r\n0\r\n\r\n".utf8)],
                  pause: .milliseconds(20))
        }
        let closeDelimited = try TestServer { _ in .text("HTTP/1.1 200 OK\r\n\r\nuntil the end") }
        defer { chunked.stop(); closeDelimited.stop() }
        let client = try loopbackClient()
        #expect(try await client.send(HTTPClientRequest(url: chunked.url), timeout: .seconds(30)).body == Array("hello".utf8))
        #expect(try await client.send(HTTPClientRequest(url: closeDelimited.url), timeout: .seconds(30)).body
            == Array("until the end".utf8))
    }

    @Test func interimResponsesAreSkippedAndRedirectsNotFollowed() async throws {
        let target = try TestServer { _ in .text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") }
        let redirecting = try TestServer { _ in
            .text("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 302 Found\r\nLocation: \(target.url)/\r\nContent-Length: 0\r\n\r\n")
        }
        defer { target.stop(); redirecting.stop() }
        let client = try loopbackClient()
        let response = try await client.send(HTTPClientRequest(url: redirecting.url), timeout: .seconds(30))
        #expect(response.status.code == 302)
        #expect(response.headers["location"] == "\(target.url)/")
        #expect(target.requests.isEmpty)
    }

    @Test func headResponseHasNoBodyWhateverItsLength() async throws {
        let server = try TestServer { _ in .text("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n") }
        defer { server.stop() }
        let client = try loopbackClient()
        let response = try await client.send(HTTPClientRequest(method: .head, url: server.url), timeout: .seconds(30))
        #expect(response.status.code == 200)
        #expect(response.body.isEmpty)
    }

    @Test func nothingListeningIsRefused() async throws {
        let client = try loopbackClient()
        let port = try LoopbackSocket.closedPort()
        #expect(await outcome(client, HTTPClientRequest(url: "http://127.0.0.1:\(port)/")).errorKind == .refused)
    }

    @Test(arguments: [
        "ftp://example.com/", "example.com/", "http://", "http://user:pass@example.com/", "http://exa mple.com/",
        "http://example.com:0/", "http://example.com:65536/", "http://example.com:8a/", "http://[::1/", "http://[zz::1]/",
        "http://example.com/a b", "http://example.com/\u{e9}",
    ])
    func invalidURLsAreRefusedBeforeAnyConnection(url: String) async throws {
        let client = try loopbackClient()
        #expect(await outcome(client, HTTPClientRequest(url: url)).errorKind == .invalidRequest)
    }

    @Test func headerInjectionIsRefused() async throws {
        let client = try loopbackClient()
        for headers in [HTTPHeaders([("X-A", "1\r\nX-Injected: 2")]), HTTPHeaders([("Bad Name", "1")]), HTTPHeaders([("", "1")])] {
            let request = HTTPClientRequest(url: "http://127.0.0.1:9/", headers: headers)
            #expect(await outcome(client, request).errorKind == .invalidRequest)
        }
    }

    @Test func aShutDownClientRefusesRequests() async throws {
        let client = try loopbackClient()
        client.shutDown()
        #expect(await outcome(client, HTTPClientRequest(url: "http://127.0.0.1:9/")).errorKind == .shutDown)
    }
}
