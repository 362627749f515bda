// Fuzz target: the query-string parser (Request.parseQuery) and the links built from it
// (Page.link, used for `links.next` and `Link`). A link must be a request target our own
// parser accepts, and its query must parse back to the parameters it was built from: a
// client that follows `next` must get the same filters.
import HTTPCore
@testable import StorefrontApp

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryString(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // As the head parser lets it through: visible ASCII, anything else percent-encoded
    // (so the bytes behind the escapes are still arbitrary, invalid UTF-8 included).
    let text = visibleASCII(UnsafeBufferPointer(start: data, count: size))
    let request = Request(http: HTTPRequest(head: head(target: "/p?" + text)))
    let query = request.query
    check(query == Request.parseQuery(Substring(text)).values, "parsing depends on where the query sits")

    let link = Page<Int>.link(request: request, cursor: query["cursor"])
    let raw = Array("GET \(link) HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
    let limits = HTTPParserLimits(maxRequestLineBytes: 1 << 20, maxHeaderBytes: 1 << 20, maxHeaderCount: 100)
    let parsed = raw.withUnsafeBytes { RequestHeadParser.parse($0, limits: limits) }
    guard case .complete(let linked, _) = parsed else {
        check(false, "link \(link.debugDescription) from \(text.debugDescription) is not a valid target: \(parsed)")
        return 0
    }
    let followed = Request(http: HTTPRequest(head: linked)).query
    check(followed == query, "link \(link.debugDescription) parses to \(followed), built from \(query)")
    return 0
}

private func head(target: String) -> HTTPRequestHead {
    HTTPRequestHead(method: .get, target: target, version: .http1_1, headers: HTTPHeaders(),
                    framing: .none, keepAlive: true, expectsContinue: false)
}

private func visibleASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "#") {
            out.append(byte)
        } else {
            out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        }
    }
    return String(decoding: out, as: UTF8.self)
}
