// Fuzz target: RequestHeadParser, differentially against itself. Parsing the whole input at
// once must give the same answer as growing the buffer one byte at a time with `resumeFrom`
// (how the server calls it), under the default limits and under small ones that put every
// limit check within reach of short inputs.
import HTTPCore

private let limitSets = [
    HTTPParserLimits(),
    HTTPParserLimits(maxRequestLineBytes: 24, maxHeaderBytes: 64, maxHeaderCount: 3),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for limits in limitSets {
        let whole = RequestHeadParser.parse(bytes, limits: limits)
        let incremental = parseGrowing(bytes, limits: limits)
        switch (whole, incremental) {
        case (.complete(let a, let n), .complete(let b, let m)):
            check(a == b && n == m, "complete differs: whole \(a) \(n), incremental \(b) \(m)")
            check(n > 0 && n <= size, "consumed \(n) of \(size)")
            // Bytes after the head are the body or the next request: they must not matter.
            let exact = RequestHeadParser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<n]), limits: limits)
            check(exact == whole, "head alone parses as \(exact), with its tail as \(whole)")
        case (.needMore, .needMore):
            break
        case (.invalid(let a), .invalid(let b)):
            check(a == b, "invalid differs: whole \(a), incremental \(b)")
        default:
            check(false, "whole \(whole), incremental \(incremental)")
        }
    }
    return 0
}

/// Feeds prefixes of `bytes` one byte longer each time, passing back `scanned`, and returns
/// the first answer that is not `needMore` (or the last `needMore`).
private func parseGrowing(_ bytes: UnsafeRawBufferPointer, limits: HTTPParserLimits) -> RequestHeadParseResult {
    var scanned = 0
    var last = RequestHeadParseResult.needMore(scanned: 0)
    var length = 1
    while length <= bytes.count {
        last = RequestHeadParser.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), resumeFrom: scanned, limits: limits)
        guard case .needMore(let next) = last else { return last }
        // It may go down (leading empty lines skipped later): resuming takes the larger.
        check(next <= length, "scanned \(next) past the \(length) bytes given")
        scanned = next
        length += 1
    }
    return last
}
