import HTTPCore
import Testing

@Suite struct ChunkedBodyAdversarialTests {
    @Test(arguments: ChunkedFixtures.adversarial)
    func edgeCasesHaveTheirOutcomeFedWholeOrByteByByte(fixture: ChunkedFixture) {
        for step in [fixture.raw.utf8.count, 1] {
            let (result, body, _) = ParserHarness.decodeChunked(fixture.raw, step: step, maxBody: fixture.maxBody,
                                                                framingAllowance: fixture.framingAllowance)
            if let error = fixture.error {
                #expect(result == .invalid(error), "step \(step)")
            } else {
                guard case .done = result else { Issue.record("step \(step): \(result)"); continue }
                #expect(String(decoding: body, as: UTF8.self) == fixture.body, "step \(step)")
            }
        }
    }

    /// The decoder's outcome, body and consumed count may not depend on how the bytes were
    /// split: whole, one byte at a time, or cut in two anywhere.
    @Test(arguments: ChunkedFixtures.all)
    func agreesWithItselfHoweverTheBytesAreSplit(fixture: ChunkedFixture) {
        let count = fixture.raw.utf8.count
        func run(_ cuts: [Int]) -> ChunkedOutcome {
            let (result, body, consumed) = ParserHarness.decodeChunked(fixture.raw, cuts: cuts, maxBody: fixture.maxBody,
                                                                       framingAllowance: fixture.framingAllowance)
            // After an error the offset reached depends on the piece sizes; the error does not.
            if case .invalid = result { return ChunkedOutcome(result: result, body: body, consumed: -1) }
            return ChunkedOutcome(result: result, body: body, consumed: consumed)
        }
        let whole = run([])
        #expect(run(Array(1..<max(1, count))) == whole, "byte at a time")
        // Two-piece splits of long fixtures every few bytes keep the table fast.
        for cut in stride(from: 1, to: count, by: max(1, count / 200)) {
            #expect(run([cut]) == whole, "cut at \(cut)")
        }
    }

    @Test func errorIsReportedAtTheByteThatBreaksTheFraming() {
        // The overflowing size is refused at its line's LF: nothing after it is read.
        let raw = "1\r\n{\r\n7fffffffffffffff\r\nNEVER READ"
        let (result, body, _) = ParserHarness.decodeChunked(raw, step: 1)
        #expect(result == .invalid(ChunkedFixtures.tooLarge(1 << 20)))
        #expect(body == Array("{".utf8))
    }
}

struct ChunkedOutcome: Equatable {
    let result: ChunkedDecodeResult
    let body: [UInt8]
    let consumed: Int
}
