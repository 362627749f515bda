import Testing
@testable import HTTPCore

/// What goes on the wire for a response: the server's own framing fields replace whatever
/// a handler set under those names, in any case; every other field is kept as it is.
@Suite struct ResponseSerializerTests {
    private static func wire(_ response: HTTPResponse, method: HTTPMethod = .get, keepAlive: Bool = true) -> String {
        String(decoding: ResponseSerializer.serialize(response, requestMethod: method, requestVersion: .http1_1,
                                                      keepAlive: keepAlive, date: "Tue, 01 Dec 2026 17:00:00 GMT"),
               as: UTF8.self)
    }

    @Test func theServerOwnsFramingAndConnectionFieldsInAnyCase() {
        let response = HTTPResponse(status: .ok, headers: HTTPHeaders([
            ("content-length", "999"), ("TRANSFER-ENCODING", "chunked"), ("Connection", "upgrade"), ("date", "yesterday"),
            // Same lengths as the owned names, different names: kept.
            ("Dat1", "a"), ("Connectiox", "b"), ("Content-Lengtx", "c"), ("Transfer-Encodinx", "d"),
            ("X-Request-Id", "r-1"),
        ]), body: Array("hello".utf8))
        #expect(ResponseSerializerTests.wire(response) == "HTTP/1.1 200 OK\r\n"
            + "Dat1: a\r\nConnectiox: b\r\nContent-Lengtx: c\r\nTransfer-Encodinx: d\r\nX-Request-Id: r-1\r\n"
            + "Date: Tue, 01 Dec 2026 17:00:00 GMT\r\nContent-Length: 5\r\n\r\nhello")
    }

    @Test(arguments: [
        (HTTPMethod.head, HTTPStatus.ok, "Content-Length: 5\r\n", false),
        (.get, .noContent, "", false),
        (.get, .notModified, "", false),
        (.get, .ok, "Content-Length: 5\r\n", true),
    ])
    func contentLengthAndBodyFollowTheMethodAndStatus(method: HTTPMethod, status: HTTPStatus, length: String, body: Bool) {
        let wire = ResponseSerializerTests.wire(HTTPResponse(status: status, body: Array("hello".utf8)), method: method,
                                                keepAlive: false)
        #expect(wire.hasPrefix("HTTP/1.1 \(status.code) "))
        #expect(wire.hasSuffix("Date: Tue, 01 Dec 2026 17:00:00 GMT\r\n\(length)Connection: close\r\n\r\n" + (body ? "hello" : "")))
    }

    @Test(arguments: ["Date", "date", "CONNECTION", "Content-Length", "transfer-encoding"])
    func ownedNamesAreRecognised(name: String) {
        #expect(ResponseSerializer.isServerOwned(name))
    }

    @Test(arguments: ["", "Dat", "Dates", "Connections", "Content-Type", "Trailer", "Keep-Alive", "Transfer-Encoding2"])
    func otherNamesAreNot(name: String) {
        #expect(!ResponseSerializer.isServerOwned(name))
    }
}
