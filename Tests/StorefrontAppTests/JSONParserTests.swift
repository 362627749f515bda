import Testing
@testable import StorefrontApp

@Suite struct JSONParserTests {
    private func parse(_ text: String, limits: JSONLimits = JSONLimits()) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), limits: limits)
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"s":"a\"b\u00e9\ud83d\ude00","n":-12.5e3,"i":9007199254740993,"t":true,"f":false,"z":null,"a":[1,[]],"o":{}} "#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object["s"] == .string("a\"bé😀"))
        #expect(object["n"] == .number("-12.5e3"))
        // Integers keep their digits: no trip through Double.
        #expect(object["i"] == .number("9007199254740993"))
        #expect(object["t"] == .bool(true))
        #expect(object["z"] == .null)
        #expect(object["a"] == .array([.number("1"), .array([])]))
        #expect(object["o"] == .object(JSONObject()))
        #expect(object.members.map(\.name) == ["s", "n", "i", "t", "f", "z", "a", "o"])
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "expected a member name"),
        ("{\"a\":1,}", "expected a member name"),
        ("[1,]", "unexpected character"),
        ("{'a':1}", "expected a member name"),
        ("{\"a\":1,\"a\":2}", "duplicate member name 'a'"),
        ("01", "leading zero in number"),
        ("1.", "invalid fraction"),
        ("1e", "invalid exponent"),
        ("NaN", "unexpected character"),
        ("tru", "invalid literal"),
        ("\"a\nb\"", "control character in string"),
        ("\"\\x\"", "invalid escape"),
        ("\"\\ud800\"", "lone surrogate in string"),
        ("\"\\udc00\"", "lone surrogate in string"),
        ("{} {}", "unexpected data after the JSON value"),
        ("/* c */ {}", "unexpected character"),
        ("\"abc", "unterminated string"),
    ])
    func malformedDocumentsAreRefusedWithAReason(text: String, message: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func nestingDeeperThanTheLimitIsRefusedWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        do {
            _ = try parse(deep)
            Issue.record("accepted deep nesting")
        } catch {
            #expect(error.message == "nesting deeper than 32")
        }
        #expect((try? parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32))) != nil)
    }

    @Test func longStringsAndHugeContainersAreRefused() {
        var limits = JSONLimits()
        limits.maxStringBytes = 10
        limits.maxContainerElements = 3
        #expect(throws: JSONSyntaxError.self) { try parse("\"\(String(repeating: "x", count: 11))\"", limits: limits) }
        #expect(throws: JSONSyntaxError.self) { try parse("[1,2,3,4]", limits: limits) }
        #expect((try? parse("[1,2,3]", limits: limits)) != nil)
    }
}

/// Parse work must grow linearly with the body, whatever its shape: a body is parsed on an
/// event loop, so a quadratic shape stalls every connection on that loop. Work is counted,
/// not timed (bytes examined plus member-name comparisons, see `JSONParser.work`).
@Suite struct JSONParserWorkTests {
    /// Up to 1 MiB of JSON in each adversarial shape.
    static func shapes() -> [(name: String, text: String)] {
        func members(_ count: Int, key: (Int) -> String) -> String {
            "{" + (0..<count).map { "\"\(key($0))\":\($0)" }.joined(separator: ",") + "}"
        }
        let wide = "[" + (0..<8).map { _ in members(10_000) { "k\($0)" } }.joined(separator: ",") + "]"
        // Long names with a shared prefix: each comparison of the old scan read the prefix.
        let prefix = String(repeating: "p", count: 90)
        let longNames = members(10_000) { prefix + String($0) }
        let manySmall = "[" + (0..<9_000).map { _ in "{\"a\":1,\"b\":[],\"c\":{}}" }.joined(separator: ",") + "]"
        let deepRepeated = "[" + (0..<9_000).map { _ in String(repeating: "[", count: 31) + String(repeating: "]", count: 31) }
            .joined(separator: ",") + "]"
        let escapes = "\"" + String(repeating: #"\u00e9\ud83d\ude00"#, count: 50_000) + "\""
        let numbers = "[" + (0..<10_000).map { _ in "-1234567890.123456789e+123" }.joined(separator: ",") + "]"
        return [("8 objects of 10,000 members", wide), ("10,000 long shared-prefix names", longNames),
                ("9,000 small objects", manySmall), ("deep nesting repeated", deepRepeated),
                ("escape-heavy string", escapes), ("10,000 long numbers", numbers)]
    }

    @Test(arguments: shapes())
    func aLargeBodyOfAnyShapeCostsWorkLinearInItsSize(_ shape: (name: String, text: String)) throws {
        let bytes = Array(shape.text.utf8)
        #expect(bytes.count <= 1_048_576, "\(shape.name) is over the body limit")
        let (value, work) = try JSONParser.parseCountingWork(bytes)
        #expect(value != .null)
        #expect(work <= 4 * bytes.count, "\(shape.name): \(work) steps for \(bytes.count) bytes")
    }

    /// Objects scan small and hash large: duplicates and lookups must work on both sides of
    /// the switch (`JSONObject.indexThreshold`), for the first name, the last and the middle.
    static let duplicateRows: [(count: Int, repeated: Int)] = [
        (1, 0), (2, 1), (10, 0), (11, 10), (12, 0), (12, 11), (13, 12), (13, 5), (10_000, 5_000), (10_000, 0), (10_000, 9_999),
    ]

    @Test(arguments: duplicateRows)
    func aDuplicateIsFoundAndLookupsWorkAtAnySize(_ row: (count: Int, repeated: Int)) throws {
        let names = (0..<row.count).map { "k\($0)" }
        let unique = "{" + names.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + "}"
        guard case .object(let object) = try JSONParser.parse(Array(unique.utf8)) else {
            Issue.record("not an object")
            return
        }
        for (index, name) in names.enumerated() where index % 97 == 0 || index == row.count - 1 {
            #expect(object[name] == .number(String(index)))
        }
        #expect(object["absent"] == nil && !object.has("k\(row.count)"))
        let repeated = String(unique.dropLast()) + ",\"k\(row.repeated)\":1}"
        do {
            _ = try JSONParser.parse(Array(repeated.utf8))
            Issue.record("accepted a repeated k\(row.repeated)")
        } catch {
            #expect(error.message == "duplicate member name 'k\(row.repeated)'")
        }
    }

    /// Names are as long as the body allows now; the 400's message must not echo one whole.
    @Test func aLongDuplicateNameIsQuotedShortInTheError() {
        let name = String(repeating: "n", count: 100_000)
        do {
            _ = try JSONParser.parse(Array("{\"\(name)\":1,\"\(name)\":2}".utf8))
            Issue.record("accepted a duplicate")
        } catch {
            #expect(error.message.count < 100)
        }
    }

    @Test func workPastTheBudgetIsRefused() {
        var limits = JSONLimits()
        limits.workPerByte = 1
        // Whitespace costs a step per byte, and members a lookup each: over one step a byte.
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array("{\"a\":1,\"b\":2}".utf8), limits: limits) }
    }

    /// Valid JSON is not malformed: a string as long as the body limit allows parses, and the
    /// field's own length rule answers.
    @Test(arguments: [0, 1, 65_536, 65_537, 1_048_000])
    func stringsUpToTheBodyLimitParse(_ length: Int) throws {
        let text = "\"" + String(repeating: "x", count: length) + "\""
        #expect(try JSONParser.parse(Array(text.utf8)) == .string(String(repeating: "x", count: length)))
    }
}
