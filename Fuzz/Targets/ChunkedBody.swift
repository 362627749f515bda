// Fuzz target: ChunkedBodyDecoder, differentially against itself. The decoder promises the
// same outcome fed whole, one byte at a time, or in uneven pieces; it is checked under a
// roomy and a tight body/trailer limit.
import HTTPCore

private let limitSets: [(body: Int, trailer: Int)] = [(1 << 20, 8192), (64, 16)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkedBody(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for limits in limitSets {
        let whole = decode(bytes, limits: limits, pieces: { _ in size })
        let single = decode(bytes, limits: limits, pieces: { _ in 1 })
        // Uneven pieces from the data itself: 1 to 7 bytes, so CRLFs and sizes get split.
        let uneven = decode(bytes, limits: limits, pieces: { offset in Int(bytes[offset] % 7) + 1 })
        check(whole == single, "whole \(whole) vs byte at a time \(single)")
        check(whole == uneven, "whole \(whole) vs uneven pieces \(uneven)")
        if case .done(let consumed, _) = whole.result {
            check(consumed > 0 && consumed <= size, "consumed \(consumed) of \(size)")
            check(whole.body.count <= limits.body, "body of \(whole.body.count) over the limit \(limits.body)")
        }
    }
    return 0
}

private struct Outcome: Equatable {
    var result: ChunkedDecodeResult
    var body: [UInt8]
}

/// Feeds `bytes` in pieces of `pieces(offset)` bytes until the decoder finishes or fails;
/// `done` and `needMore` are reported with offsets into the whole input.
private func decode(_ bytes: UnsafeRawBufferPointer, limits: (body: Int, trailer: Int),
                    pieces: (Int) -> Int) -> Outcome {
    var decoder = ChunkedBodyDecoder(maxBodyBytes: limits.body, maxTrailerBytes: limits.trailer)
    var body: [UInt8] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + pieces(offset))
        let result = decoder.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &body)
        switch result {
        case .needMore(let consumed):
            check(consumed == end - offset, "needMore consumed \(consumed) of \(end - offset)")
            offset = end
        case .done(let consumed, let trailers):
            check(consumed <= end - offset, "done consumed \(consumed) of \(end - offset)")
            // Once done the decoder must not take more bytes.
            return Outcome(result: .done(consumed: offset + consumed, trailers: trailers), body: body)
        case .invalid(let error):
            // Sticky: a failed decoder keeps failing with the same error.
            let again = decoder.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &body)
            check(again == result, "failure not sticky: \(error) then \(again)")
            return Outcome(result: result, body: body)
        }
    }
    return Outcome(result: .needMore(consumed: offset), body: body)
}
