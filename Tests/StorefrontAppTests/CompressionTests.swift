import CZlib
import HTTPCore
import Testing
@testable import StorefrontApp

/// Inflates a gzip member with zlib (window bits 15 + 16: gzip wrapper only).
func gunzip(_ data: [UInt8]) -> [UInt8]? {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deinitialize(count: 1); stream.deallocate() }
    guard inflateInit2_(stream, 31, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(stream) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16_384)
    var input = data
    return input.withUnsafeMutableBufferPointer { source -> [UInt8]? in
        stream.pointee.next_in = source.baseAddress
        stream.pointee.avail_in = uInt(source.count)
        while true {
            let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = uInt(buffer.count)
                return inflate(stream, Z_NO_FLUSH)
            }
            output += chunk[0..<(chunk.count - Int(stream.pointee.avail_out))]
            if status == Z_STREAM_END { return stream.pointee.avail_in == 0 ? output : nil }
            guard status == Z_OK else { return nil }
        }
    }
}

@Suite struct CompressionTests {
    /// A JSON body well over 1 KiB, as a list page would be.
    static let body: [UInt8] = Array(("[" + (0..<100).map { "{\"id\":\($0),\"name\":\"item \($0)\"}" }
        .joined(separator: ",") + "]").utf8)

    static func run(method: HTTPMethod = .get, headers: [(String, String)],
                    response: HTTPResponse = HTTPResponse(status: .ok, headers: HTTPHeaders([
                        ("Content-Type", "application/json"), ("ETag", "\"v1\"")]), body: CompressionTests.body))
        async throws -> HTTPResponse {
        let chain = MiddlewareChain(links: [CompressionMiddleware()])
        let request = Request(http: HTTPRequest(head: HTTPRequestHead(
            method: method, target: "/api/v1/things", version: .http1_1, headers: HTTPHeaders([("Host", "t")] + headers),
            framing: .none, keepAlive: true, expectsContinue: false)))
        return try await chain.run(request, context: RequestContext(routeTemplate: "/api/v1/things", clientIP: "")) { _, _ in
            response
        }
    }

    @Test(arguments: [
        (nil, false), ("gzip", true), ("gzip;q=0", false), ("*", true), ("*;q=0", false), ("identity", false),
        ("br, gzip;q=0.5", true),
        // Beyond the required table.
        ("", false), ("GZIP", true), ("x-gzip", true), ("gzip ; q=0.8", true), ("gzip;Q=0.001", true),
        ("gzip;q=0.5, identity", false), ("gzip;q=0.5, identity;q=0.5", true), ("*, gzip;q=0", false),
        ("identity;q=0, *", true), ("gzip;q=1.5", false), ("gzip;q=0.1234", false), ("gzip;q=", false),
        ("gzip;q=abc", false), ("br", false), (",,,", false), ("gzip;level=9", true), ("deflate, gzip", true),
    ] as [(String?, Bool)])
    func negotiationTableWithGunzipRoundTrip(acceptEncoding: String?, gzip: Bool) async throws {
        let response = try await CompressionTests.run(headers: acceptEncoding.map { [("Accept-Encoding", $0)] } ?? [])
        #expect(response.status == .ok)
        #expect(response.headers.values("Vary") == ["Accept-Encoding"], "both variants say Vary")
        if gzip {
            #expect(response.headers["Content-Encoding"] == "gzip")
            #expect(response.headers["ETag"] == "\"v1-gzip\"")
            #expect(response.body.count < CompressionTests.body.count)
            #expect(gunzip(response.body) == CompressionTests.body)
        } else {
            #expect(response.headers["Content-Encoding"] == nil)
            #expect(response.headers["ETag"] == "\"v1\"")
            #expect(response.body == CompressionTests.body)
        }
    }

    @Test(arguments: [
        ("gzip", "\"v1\"", "\"v1-gzip\""), ("gzip", "\"v1-gzip\"", "\"v1-gzip\""),
        ("identity", "\"v1\"", "\"v1\""), ("identity", "\"v1-gzip\"", "\"v1\""),
        ("gzip", "W/\"v1-gzip\"", "\"v1-gzip\""), ("gzip", "\"other\", \"v1\"", "\"v1-gzip\""),
        ("identity", "*", "\"v1\""),
    ])
    func ifNoneMatchGives304ForEitherVariant(acceptEncoding: String, ifNoneMatch: String, etag: String) async throws {
        let response = try await CompressionTests.run(headers: [("Accept-Encoding", acceptEncoding),
                                                                ("If-None-Match", ifNoneMatch)])
        #expect(response.status == .notModified)
        #expect(response.body.isEmpty)
        #expect(response.headers["ETag"] == etag)
        #expect(response.headers.values("Vary") == ["Accept-Encoding"])
    }

    @Test(arguments: ["\"v2\"", "\"v1-br\"", "\"v1", "v1", "W/", ""])
    func aDifferentOrMalformedIfNoneMatchGetsTheFullResponse(ifNoneMatch: String) async throws {
        let response = try await CompressionTests.run(headers: [("Accept-Encoding", "gzip"), ("If-None-Match", ifNoneMatch)])
        #expect(response.status == .ok)
        #expect(gunzip(response.body) == CompressionTests.body)
    }

    @Test func neverCompressedHeadNoContentNotModifiedSmallOrCompressedTypes() async throws {
        let json = HTTPHeaders([("Content-Type", "application/json")])
        let cases: [(String, HTTPMethod, HTTPResponse, Bool)] = [
            ("HEAD", .head, HTTPResponse(status: .ok, headers: json, body: CompressionTests.body), true),
            ("204", .get, HTTPResponse(status: .noContent, headers: json, body: []), false),
            ("304", .get, HTTPResponse(status: .notModified, headers: json, body: []), false),
            ("1 KiB exactly", .get, HTTPResponse(status: .ok, headers: json, body: [UInt8](repeating: 32, count: 1024)), false),
            ("empty", .get, HTTPResponse(status: .ok, headers: json, body: []), false),
            ("image", .get, HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "image/png")]),
                                         body: CompressionTests.body), false),
            ("no type", .get, HTTPResponse(status: .ok, body: CompressionTests.body), false),
            ("already encoded", .get, HTTPResponse(status: .ok, headers: HTTPHeaders([
                ("Content-Type", "text/plain"), ("Content-Encoding", "br")]), body: CompressionTests.body), false),
        ]
        for (name, method, original, varies) in cases {
            let response = try await CompressionTests.run(method: method, headers: [("Accept-Encoding", "gzip")],
                                                          response: original)
            #expect(response.headers.values("Content-Encoding") == original.headers.values("Content-Encoding"), "\(name)")
            #expect(response.body == original.body, "\(name)")
            #expect(response.headers.contains("Vary") == varies, "\(name)")
        }
    }

    @Test func largeErrorsAndOtherTextualTypesAreCompressedAndVaryIsMergedOnce() async throws {
        let response = try await CompressionTests.run(headers: [("Accept-Encoding", "gzip")], response: HTTPResponse(
            status: .unprocessableContent,
            headers: HTTPHeaders([("Content-Type", "application/problem+json"), ("Vary", "Origin, accept-encoding")]),
            body: CompressionTests.body))
        #expect(response.headers["Content-Encoding"] == "gzip")
        #expect(response.headers.values("Vary") == ["Origin, accept-encoding"])
        #expect(gunzip(response.body) == CompressionTests.body)
    }

    @Test func incompressibleBodiesAreSentAsTheyAre() async throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let response = try await CompressionTests.run(headers: [("Accept-Encoding", "gzip")], response: HTTPResponse(
            status: .ok, headers: HTTPHeaders([("Content-Type", "text/plain"), ("ETag", "\"n\"")]), body: noise))
        #expect(response.headers["Content-Encoding"] == nil)
        #expect(response.headers["ETag"] == "\"n\"")
        #expect(response.body == noise)
    }

    /// Through the server: the wire's Content-Length is the compressed size, exactly.
    @Test func metricsAreServedCompressedWithAnExactContentLength() async throws {
        try await withApp { app in
            let response = try await app.get("/metrics", headers: "Accept-Encoding: gzip\r\n")
            #expect(response.status == 200)
            #expect(response.header("Content-Encoding") == "gzip")
            #expect(response.header("Vary") == "Accept-Encoding")
            #expect(response.header("Content-Length") == String(response.body.count))
            let text = try #require(gunzip(response.body))
            _ = try PrometheusScrape(String(decoding: text, as: UTF8.self))
            let identity = try await app.get("/metrics")
            #expect(identity.header("Content-Encoding") == nil)
            #expect(identity.header("Vary") == "Accept-Encoding")
        }
    }
}
