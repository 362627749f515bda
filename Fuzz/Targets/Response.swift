// Fuzz target: ResponseParser (HTTPCore), the outbound client's view of a receiver's
// answer, differentially against itself. The parser promises the same outcome fed whole,
// one byte at a time, or in uneven pieces, then the end of the stream; it is checked for
// GET and HEAD under a roomy and a tight limit set. scripts/fuzz row:
//   response-parser HTTPCore Fuzz/Targets/Response.swift
import HTTPCore

private let limitSets = [
    ResponseParserLimits(),
    ResponseParserLimits(maxHeadBytes: 64, maxHeaderCount: 3, maxBodyBytes: 16, maxInterimResponses: 1),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for limits in limitSets {
        for method in [HTTPMethod.get, .head] {
            let whole = parse(bytes, method: method, limits: limits, pieces: { _ in size })
            let single = parse(bytes, method: method, limits: limits, pieces: { _ in 1 })
            // Uneven pieces from the data itself: 1 to 7 bytes, so CRLFs and sizes get split.
            let uneven = parse(bytes, method: method, limits: limits, pieces: { offset in Int(bytes[offset] % 7) + 1 })
            check(whole == single, "whole \(whole) vs byte at a time \(single)")
            check(whole == uneven, "whole \(whole) vs uneven pieces \(uneven)")
            if case .complete(let response) = whole {
                check(response.body.count <= limits.maxBodyBytes, "body of \(response.body.count) over \(limits.maxBodyBytes)")
                check(response.head.status.code >= 200 && response.head.status.code <= 599, "final status \(response.head.status)")
                check(method != .head || response.body.isEmpty, "a body for HEAD")
            }
        }
    }
    return 0
}

/// Feeds `bytes` in pieces of `pieces(offset)` bytes, then the end of the stream unless the
/// parser already answered; a failure must be sticky, also across `finish`.
private func parse(_ bytes: UnsafeRawBufferPointer, method: HTTPMethod, limits: ResponseParserLimits,
                   pieces: (Int) -> Int) -> ResponseParseResult {
    var parser = ResponseParser(requestMethod: method, limits: limits)
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + pieces(offset))
        let result = parser.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        switch result {
        case .needMore:
            offset = end
        case .complete:
            check(parser.finish() == result, "complete, then finish changed the answer")
            return result
        case .invalid:
            check(parser.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) == result, "failure not sticky")
            check(parser.finish() == result, "failure not sticky across finish")
            return result
        }
    }
    return parser.finish()
}
