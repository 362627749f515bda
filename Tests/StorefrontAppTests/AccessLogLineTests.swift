import Testing
@testable import StorefrontApp

/// The access line is written by hand into a reused buffer (no `JSONWriter`, no field
/// array); these pin it byte for byte to what the writer produced, so log consumers see
/// the same fields, order and number formats.
@Suite struct AccessLogLineTests {
    /// The line without its `time` value, which changes.
    private static func lines(_ write: (Logger) -> Void) -> [String] {
        let sink = MemoryLogSink()
        write(Logger(sink: sink, minimumLevel: .info))
        return sink.all.map { line in
            guard line.hasPrefix(#"{"time":""#), line.count > 35 else { return line }
            let time = line.dropFirst(9).prefix(24)
            #expect(time.utf8.count == 24 && time.hasSuffix("Z"))
            return #"{"time":"T""# + line.dropFirst(9 + 25)
        }
    }

    @Test func accessLineKeepsItsFieldsOrderAndNumberFormats() {
        let trace = TraceContext(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7",
                                 parentSpanID: nil, sampled: false, traceState: nil)
        let got = AccessLogLineTests.lines { logger in
            LogScope.$trace.withValue(trace) {
                logger.log(.info, "request") { line in
                    AccessLogMiddleware.fields(&line, requestID: "abc-1", method: "GET", route: "/health", status: 200,
                                               durationMicros: 250, bytes: 47, clientIP: "127.0.0.1")
                }
            }
            logger.log(.error, "request") { line in
                AccessLogMiddleware.fields(&line, requestID: "q\"\\\n", method: "-", route: "(rejected)", status: 500,
                                           durationMicros: 12_000, bytes: 0, clientIP: "::1")
            }
        }
        #expect(got == [
            #"{"time":"T","level":"info","msg":"request","request_id":"abc-1","method":"GET","route":"/health","status":200,"duration_ms":0.25,"bytes":47,"client_ip":"127.0.0.1","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}"#,
            #"{"time":"T","level":"error","msg":"request","request_id":"q\"\\\n","method":"-","route":"(rejected)","status":500,"duration_ms":12.0,"bytes":0,"client_ip":"::1"}"#,
        ])
    }

    /// Every value kind through `orderedFields`, against `JSONWriter` writing the same.
    @Test(arguments: [
        LogValue.string(""), .string("plain"), .string("tab\there \u{01}\u{7F} é ✓"), .int(0), .int(-42),
        .int(Int.max), .int(Int.min), .double(0.001), .double(-1.5), .double(1e21), .double(.nan),
        .double(.infinity), .bool(true), .bool(false),
    ])
    func fieldsAreWrittenAsJSONWriterWritesThem(value: LogValue) {
        var expected = JSONWriter()
        expected.beginObject()
        expected.key("time"); expected.string("T")
        expected.key("level"); expected.string("info")
        expected.key("msg"); expected.string("m")
        expected.key("k")
        switch value {
        case .string(let text): expected.string(text)
        case .int(let number): expected.integer(number)
        case .double(let number): expected.double(number)
        case .bool(let flag): expected.bool(flag)
        }
        expected.endObject()
        let got = AccessLogLineTests.lines { $0.log(.info, "m", orderedFields: [("k", value)]) }
        #expect(got == [String(decoding: expected.bytes, as: UTF8.self)])
    }

    /// Durations are written from whole microseconds the way `Double.description` writes
    /// the milliseconds, which is what the line carried before.
    @Test(arguments: [0, 1, 5, 10, 99, 100, 250, 999, 1000, 1001, 1230, 12_000, 123_456, 86_400_000_000])
    func durationsMatchTheMillisecondsDescription(micros: Int) {
        var line = LogLine(LineStorage())
        line.field(LogKey("d"), milliseconds: micros)
        #expect(line.finish { String(decoding: $0, as: UTF8.self) } == #","d":"# + (Double(micros) / 1000).description)
    }

    /// A line starts in 16 bytes here, so every field makes it grow; what comes out is what
    /// `JSONWriter` writes for the same values, escapes included.
    @Test(arguments: [0, 1, 15, 16, 17, 600, 100_000])
    func aLineGrowsPastItsStorageAndKeepsEveryByte(length: Int) {
        let text = String(repeating: "a\"\u{1}é", count: length / 4) + String(repeating: "z", count: length % 4)
        var line = LogLine(LineStorage(capacity: 16))
        line.field(LogKey("s"), text)
        line.field(LogKey("n"), length)
        var expected = JSONWriter()
        expected.beginObject()
        expected.key("s")
        expected.string(text)
        expected.key("n")
        expected.integer(length)
        expected.endObject()
        let json = String(decoding: expected.bytes, as: UTF8.self)
        #expect(line.finish { String(decoding: $0, as: UTF8.self) } == "," + json.dropFirst().dropLast())
    }

    /// A line logged while another is being written on the same thread (from inside its
    /// fields) gets storage of its own: neither line is mixed into the other.
    @Test func aLineLoggedWhileAnotherIsWrittenStaysWhole() {
        let got = AccessLogLineTests.lines { logger in
            logger.log(.info, "outer") { line in
                line.field(LogKey("before"), 1)
                logger.log(.info, "inner") { $0.field(LogKey("x"), "y") }
                line.field(LogKey("after"), 2)
            }
        }
        #expect(got.count == 2)
        #expect(got.first?.contains(#""msg":"inner","x":"y"}"#) == true)
        #expect(got.last?.contains(#""msg":"outer","before":1,"after":2}"#) == true)
    }

    @Test(arguments: [0, 7, -7, 10, 1_000_000, Int.max, Int.min])
    func integersMatchTheirDescription(value: Int) {
        var json = JSONWriter()
        json.integer(value)
        #expect(String(decoding: json.bytes, as: UTF8.self) == String(value))
    }
}
