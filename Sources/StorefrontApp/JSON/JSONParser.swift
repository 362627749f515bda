/// Limits that keep any request body from exhausting stack, memory or CPU. Strings are
/// bounded by the body limit alone: valid JSON is never "malformed" for a long string, and
/// the field's own length rule answers (422).
public struct JSONLimits: Sendable {
    public var maxDepth = 32
    public var maxStringBytes = Int.max
    public var maxContainerElements = 10_000
    /// Parse work allowed per input byte (see `JSONParser.work`). Parsing is linear, so a
    /// valid body of any shape needs about two steps a byte; the budget turns a future
    /// super-linear path into a 400 instead of seconds of event-loop CPU.
    public var workPerByte = 4
    public init() {}
}

/// Why a body is not acceptable JSON; becomes a 400 with this text.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// A strict RFC 8259 parser over bytes: no comments, no trailing commas, no NaN, no
/// leading zeros, no lone surrogates, no duplicate names, valid UTF-8 only.
public struct JSONParser {
    private let bytes: [UInt8]
    private let limits: JSONLimits
    private var index = 0
    private var depth = 0
    /// Steps beyond reading the bytes themselves: the name comparisons or hashes of each
    /// member's duplicate check. With the bytes read, this is what `workPerByte` bounds.
    private var work = 0
    private let workBudget: Int

    public static func parse(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONSyntaxError) -> JSONValue {
        try parseCountingWork(bytes, limits: limits).value
    }

    /// `parse`, also returning the work done (bytes read plus lookups), for tests that prove
    /// it linear.
    static func parseCountingWork(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONSyntaxError)
        -> (value: JSONValue, work: Int) {
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        try parser.charge(0)
        return (value, parser.work + bytes.count)
    }

    private init(bytes: [UInt8], limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
        let (budget, overflow) = max(bytes.count, 1).multipliedReportingOverflow(by: max(limits.workPerByte, 1))
        workBudget = overflow ? .max : budget
    }

    private mutating func charge(_ steps: Int) throws(JSONSyntaxError) {
        work += steps
        guard work + index <= workBudget else { throw error("document too complex to parse") }
    }

    private func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: index) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        for byte in literal.utf8 {
            guard current == byte else { throw error("invalid literal") }
            index += 1
        }
        return value
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard let byte = current else { throw error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= limits.maxDepth else { throw error("nesting deeper than \(limits.maxDepth)") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; depth -= 1; return .object(object) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let name = try parseString()
            let nameOffset = index
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            try charge(object.insertCost)
            guard object.insert(name, value) else {
                // Quoted short: a name can be as long as the body, and the message goes back.
                let quoted = name.count > 64 ? name.prefix(64) + "…" : name
                throw JSONSyntaxError(message: "duplicate member name '\(quoted)'", offset: nameOffset)
            }
            guard object.members.count <= limits.maxContainerElements else { throw error("object has too many members") }
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            guard current == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            index += 1
            depth -= 1
            return .object(object)
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; depth -= 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            guard elements.count <= limits.maxContainerElements else { throw error("array has too many elements") }
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; continue }
            guard current == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            index += 1
            depth -= 1
            return .array(elements)
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw error("invalid number") }
        index += 1
        if first == UInt8(ascii: "0"), let next = current, isDigit(next) { throw error("leading zero in number") }
        while let byte = current, isDigit(byte) { index += 1 }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let byte = current, isDigit(byte) else { throw error("invalid fraction") }
            while let byte = current, isDigit(byte) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let byte = current, isDigit(byte) else { throw error("invalid exponent") }
            while let byte = current, isDigit(byte) { index += 1 }
        }
        guard index - start <= 64 else { throw error("number too long") }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        let start = index
        // Most strings have no escapes: then the string is a slice of the input, without a
        // buffer of its own (a wide object is mostly short names).
        while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { index += 1 }
        guard index - start <= limits.maxStringBytes else { throw error("string longer than \(limits.maxStringBytes) bytes") }
        if current == UInt8(ascii: "\"") {
            index += 1
            guard let text = String(validating: bytes[start..<(index - 1)], as: UTF8.self) else {
                throw error("string is not valid UTF-8")
            }
            return text
        }
        var out = Array(bytes[start..<index])
        while true {
            guard let byte = current else { throw error("unterminated string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw error("control character in string")
            default:
                out.append(byte)
            }
            guard out.count <= limits.maxStringBytes else { throw error("string longer than \(limits.maxStringBytes) bytes") }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONSyntaxError) {
        guard let escape = current else { throw error("unterminated escape") }
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("lone surrogate in string")
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("lone surrogate in string")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid unicode escape") }
            UTF8.encode(unicode) { out.append($0) }
        default:
            throw error("invalid escape")
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw error("unterminated unicode escape") }
            index += 1
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid unicode escape")
            }
            value = value << 4 | digit
        }
        return value
    }
}
