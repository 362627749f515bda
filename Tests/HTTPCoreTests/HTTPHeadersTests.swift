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
}
