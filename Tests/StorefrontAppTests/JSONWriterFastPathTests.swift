import Foundation
import Testing
@testable import StorefrontApp

/// The word-at-a-time escape scan, the in-place uuid and timestamp writers: each checked
/// against the plain form it replaced, at every position that matters to a word scan.
@Suite struct JSONWriterFastPathTests {
    /// RFC 8259 §7 escaping one byte at a time, as the writer did before the word scan.
    static func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u00" + (hex.count == 1 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func written(_ text: String) -> String {
        var json = JSONWriter()
        json.string(text)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static let escaped: [Unicode.Scalar] = (0..<0x20).map { Unicode.Scalar(UInt8($0)) } + ["\"", "\\", "\u{7F}"]

    @Test(arguments: escaped)
    func anEscapedByteAtEveryPositionOfEveryShortLength(_ special: Unicode.Scalar) {
        for length in 1...40 {
            for position in 0..<length {
                var text = String(repeating: "a", count: length)
                text.replaceSubrange(text.index(text.startIndex, offsetBy: position)...text.index(text.startIndex, offsetBy: position),
                                     with: String(special))
                #expect(Self.written(text) == Self.reference(text), "length \(length), position \(position)")
            }
        }
    }

    @Test func runsOfEscapesAndBoundariesOfWords() {
        let texts = ["", "a", "\"", "\"\"", "\\\\\\", String(repeating: "\n", count: 17), "1234567\"", "12345678\"",
                     "\"12345678", "1234567\"12345678\"", String(repeating: "ab\"", count: 50), "\u{1F}\u{7F}\u{0}"]
        for text in texts { #expect(Self.written(text) == Self.reference(text), "\(Array(text.utf8))") }
    }

    /// The bytes after the last full word are decided by one padded word: every ASCII byte
    /// at every position of strings of one, two and part of a third word.
    @Test func everyByteAtEveryPositionOfAShortString() {
        for length in 1...17 {
            for position in 0..<length {
                for byte in UInt8(0)..<128 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "k"), count: length)
                    bytes[position] = byte
                    let text = String(decoding: bytes, as: UTF8.self)
                    #expect(Self.written(text) == Self.reference(text), "\(bytes)")
                }
            }
        }
    }

    @Test func multiByteUTF8IsCopiedAsIsBesideEscapes() {
        for piece in ["é", "日本語", "🙂", "e\u{301}", "\u{80}", "\u{7FF}", "\u{FFFF}", "\u{10FFFF}"] {
            for prefix in 0...9 {
                let pad = String(repeating: "x", count: prefix)
                for text in [pad + piece, pad + piece + "\"", pad + "\t" + piece + piece, piece + pad + "\\" + piece] {
                    #expect(Self.written(text) == Self.reference(text), "\(text.unicodeScalars.map(\.value))")
                }
            }
        }
    }

    @Test func everyASCIIByteInOneString() {
        let text = String(decoding: (0..<128).map(UInt8.init), as: UTF8.self)
        #expect(Self.written(text) == Self.reference(text))
    }

    @Test func veryLongStringsPlainAndEscaped() {
        let plain = String(repeating: "Lorem ipsum dolor sit amet, ", count: 4_000)
        #expect(Self.written(plain) == "\"" + plain + "\"")
        let sprinkled = (0..<2_000).map { "chunk \($0) \"quoted\"\\ é\n" }.joined()
        #expect(Self.written(sprinkled) == Self.reference(sprinkled))
    }

    @Test func keysAreEscapedTheSameWay() {
        var json = JSONWriter()
        json.beginObject(); json.key("a\"b\u{1}"); json.integer(1); json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"a\"b\u0001":1}"#)
    }

    @Test func uuidsAreWrittenAsLowerCaseCanonicalText() {
        let fixed = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                     UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
                     UUID(uuid: (0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9))]
        for id in fixed + (0..<500).map({ _ in UUID() }) {
            var json = JSONWriter()
            json.beginArray(); json.uuid(id); json.uuid(id); json.endArray()
            let text = "\"" + id.uuidString.lowercased() + "\""
            #expect(String(decoding: json.bytes, as: UTF8.self) == "[" + text + "," + text + "]")
        }
    }

    static let moments: [(seconds: Double, text: String)] = [
        (1_770_067_800.125, "2026-02-02T21:30:00.125Z"),
        (1_770_067_800.1259, "2026-02-02T21:30:00.125Z"),  // rounded down, never up
        (0, "1970-01-01T00:00:00.000Z"),
        (1_709_208_000, "2024-02-29T12:00:00.000Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (253_402_300_799.5, "9999-12-31T23:59:59.500Z"),
        // Before 1970 with a fraction: the old writer's milliseconds went negative and trapped.
        (-0.001, "1969-12-31T23:59:59.999Z"),
        (-1.5, "1969-12-31T23:59:58.500Z"),
        (-0.0005, "1969-12-31T23:59:59.999Z"),
        (-86_400, "1969-12-31T00:00:00.000Z"),
        (Date.distantFuture.timeIntervalSince1970, "4001-01-01T00:00:00.000Z"),
        (-62_135_596_800, "0001-01-01T00:00:00.000Z"),
        (-62_167_219_200 - 86_400, "-0001-12-31T00:00:00.000Z"),  // 2 BC: a sign, no trap
    ]

    @Test(arguments: moments)
    func timestampsAreWrittenInPlaceAsRFC3339(_ moment: (seconds: Double, text: String)) {
        let date = Date(timeIntervalSince1970: moment.seconds)
        #expect(Timestamp.rfc3339(date) == moment.text)
        var json = JSONWriter()
        json.beginObject(); json.key("t"); json.timestamp(date); json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"t":""# + moment.text + #""}"#)
    }

    /// Dates read from PostgreSQL are milliseconds / 1000; each must render as its millisecond.
    @Test func everyMillisecondReadFromTheDatabaseRendersAsItself() {
        for start in [-100_000 as Int64, 1_770_067_000_000, -62_135_596_800_000] {
            for milliseconds in start..<(start + 20_000) {
                let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
                #expect(Timestamp.rfc3339(date) == Timestamp.rfc3339(milliseconds), "\(milliseconds)")
            }
        }
    }
}
