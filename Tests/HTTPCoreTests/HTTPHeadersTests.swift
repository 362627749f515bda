import Testing
import HTTPCore

@Suite struct HTTPHeadersTests {
    @Test func namesCompareCaseInsensitively() {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["Content-Length"] == nil)
    }

    @Test func setReplacesEveryValue() {
        var headers = HTTPHeaders([("Vary", "a"), ("vary", "b")])
        #expect(headers.values("VARY") == ["a", "b"])
        headers.set("Vary", "c")
        #expect(headers.values("vary") == ["c"])
    }

    @Test func nonLetterBytesMustMatchExactly() {
        #expect(!"a-b".asciiCaseInsensitiveEquals("a\rb"))
        #expect(!"@".asciiCaseInsensitiveEquals("`"))
    }

    @Test func removeKeepsTheOrderOfWhatStaysAndAbsentNamesChangeNothing() {
        var headers = HTTPHeaders([("A", "1"), ("Vary", "a"), ("B", "2"), ("vary", "b"), ("C", "3")])
        let before = headers
        headers.remove("X-Absent")
        #expect(headers == before)
        headers.remove("VARY")
        #expect(headers.fields.map(\.name) == ["A", "B", "C"])
        headers.set("New", "n")
        #expect(headers.fields.map(\.name) == ["A", "B", "C", "New"])
    }

    @Test func addingSeveralKeepsTheirOrderAfterTheOthers() {
        var headers = HTTPHeaders([("A", "1")])
        headers.add(contentsOf: [HTTPHeaders.Field(name: "B", value: "2"), HTTPHeaders.Field(name: "C", value: "3")])
        headers.add(contentsOf: [])
        #expect(headers.fields.map(\.name) == ["A", "B", "C"])
        #expect(headers["c"] == "3")
    }
}
