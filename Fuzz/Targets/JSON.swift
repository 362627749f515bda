// Fuzz target: JSONParser, with JSONWriter as the oracle. Whatever parses must write back
// to text that parses to the same value (numbers compared by value: the writer has only
// integer and double), and writing that again must give the same bytes. Checked under the
// default limits and under tight ones that put depth, length and count limits in reach.
import StorefrontApp

private let tight: JSONLimits = {
    var limits = JSONLimits()
    limits.maxDepth = 4
    limits.maxStringBytes = 16
    limits.maxContainerElements = 8
    return limits
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let loose = try? JSONParser.parse(bytes)
    if let loose { checkRoundTrip(loose, limits: JSONLimits()) }
    if let strict = try? JSONParser.parse(bytes, limits: tight) {
        check(loose == strict, "tight limits accepted what the default refused, or read it differently")
        checkRoundTrip(strict, limits: tight)
    }
    return 0
}

private func checkRoundTrip(_ value: JSONValue, limits: JSONLimits) {
    let text = written(value)
    let again: JSONValue
    do {
        again = try JSONParser.parse(text, limits: limits)
    } catch {
        check(false, "writer output does not parse (\(error)): \(String(decoding: text, as: UTF8.self))")
        return
    }
    check(sameValue(value, again), "round trip changed \(value) into \(again)")
    check(written(again) == text, "writing is not stable: \(String(decoding: text, as: UTF8.self))")
}

private func written(_ value: JSONValue) -> [UInt8] {
    var writer = JSONWriter()
    write(value, into: &writer)
    return writer.bytes
}

private func write(_ value: JSONValue, into writer: inout JSONWriter) {
    switch value {
    case .null: writer.null()
    case .bool(let flag): writer.bool(flag)
    case .string(let text): writer.string(text)
    case .number(let text):
        if let integer = Int(text) { writer.integer(integer) } else { writer.double(Double(text) ?? .nan) }
    case .array(let elements):
        writer.beginArray()
        for element in elements { write(element, into: &writer) }
        writer.endArray()
    case .object(let object):
        writer.beginObject()
        for member in object.members {
            writer.key(member.name)
            write(member.value, into: &writer)
        }
        writer.endObject()
    }
}

/// Equal, except that numbers compare by value and one too large for a Double has become null.
private func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)):
        if let i = Int(x), let j = Int(y) { return i == j }
        return Double(x) == Double(y)
    case (.number(let x), .null):
        return !(Double(x)?.isFinite ?? false)
    case (.array(let xs), .array(let ys)):
        return xs.count == ys.count && zip(xs, ys).allSatisfy(sameValue)
    case (.object(let x), .object(let y)):
        return x.members.count == y.members.count
            && zip(x.members, y.members).allSatisfy { $0.name == $1.name && sameValue($0.value, $1.value) }
    default:
        return a == b
    }
}
