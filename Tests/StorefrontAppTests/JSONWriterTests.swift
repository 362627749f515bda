import Testing
@testable import StorefrontApp

@Suite struct JSONWriterTests {
    @Test func nestedContainersGetCommasInTheRightPlaces() {
        var json = JSONWriter()
        json.beginObject()
        json.key("a"); json.integer(1)
        json.key("b"); json.beginArray(); json.string("x"); json.bool(true); json.null(); json.endArray()
        json.key("c"); json.beginObject(); json.endObject()
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"a":1,"b":["x",true,null],"c":{}}"#)
    }

    @Test func stringsAreEscapedPerRFC8259() {
        var json = JSONWriter()
        json.string("q\"b\\n\nt\tc\u{01}é")
        #expect(String(decoding: json.bytes, as: UTF8.self) == #""q\"b\\n\nt\tc\u0001é""#)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        var json = JSONWriter()
        json.beginArray(); json.double(.nan); json.double(1.5); json.endArray()
        #expect(String(decoding: json.bytes, as: UTF8.self) == "[null,1.5]")
    }

    @Test func timestampsAreRFC3339WithMilliseconds() {
        #expect(Timestamp.rfc3339(1_770_067_800_123) == "2026-02-02T21:30:00.123Z")
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00.000Z")
    }
}

@Suite struct TimestampCacheTests {
    @Test func cachedNowMatchesTheFullFormatter() {
        let before = Timestamp.nowMilliseconds()
        let cached = Timestamp.rfc3339Now()
        let after = Timestamp.nowMilliseconds()
        let candidates = Set((before...after).map(Timestamp.rfc3339))
        #expect(candidates.contains(cached))
        #expect(cached.count == 24)
    }
}
