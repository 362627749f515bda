import Testing
import HTTPCore

/// `ByteWriter` writes exactly what `ByteCount` sized: every byte initialised, none past it.
@Suite struct ByteWriterTests {
    private static func written(size: Int, _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var writer = ByteWriter(buffer)
            body(&writer)
            initialized = writer.count
        }
    }

    @Test(arguments: [0, 7, 9, 10, 99, 100, 65_535, 1_000_000, -1, -10, Int.max, Int.min])
    func decimalsAreWrittenInTheSizeCounted(value: Int) {
        let bytes = ByteWriterTests.written(size: ByteCount.decimal(value)) { $0.writeDecimal(value) }
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
        #expect(bytes.count == String(value).utf8.count)
    }

    @Test(arguments: ["", "a", "fifteen chars!!", "sixteen chars!!!", "é ü 日本", String(repeating: "x", count: 70_000)])
    func stringsAreCopiedWhole(text: String) {
        let bytes = ByteWriterTests.written(size: text.utf8.count + 4) { writer in
            writer.write(literal: "<")
            writer.write(text)
            writer.write(Array(">".utf8))
            writer.write(UInt8(ascii: "!"))
            writer.write(literal: "")
        }
        #expect(bytes == Array("<\(text)>!".utf8))
    }

    @Test func aSubstringBackedStringAndAnEmptyBufferWork() {
        let text = String("--middle--".dropFirst(2).dropLast(2))
        #expect(ByteWriterTests.written(size: 6) { $0.write(text) } == Array("middle".utf8))
        #expect(ByteWriterTests.written(size: 0) { $0.write("") }.isEmpty)
    }
}
