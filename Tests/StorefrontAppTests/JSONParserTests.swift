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
