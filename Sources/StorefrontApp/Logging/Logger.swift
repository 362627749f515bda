/// Severity of a log line; lines below the configured level are dropped.
public enum LogLevel: String, Sendable, CaseIterable, Comparable {
    case debug, info, warning, error

    var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// A value in a structured log line.
public enum LogValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
}

/// Where finished log lines go: standard output in the server, memory in tests.
public protocol LogSink: Sendable {
    func write(line: [UInt8])
}

/// Writes one JSON object per line: `time`, `level`, `msg`, the fields, then `trace_id` and
/// `span_id` when written while a request runs (`LogScope`).
/// Field names are fixed by the code that logs, never taken from a request.
public struct Logger: Sendable {
    public let sink: any LogSink
    public let minimumLevel: LogLevel

    public init(sink: any LogSink, minimumLevel: LogLevel) {
        self.sink = sink
        self.minimumLevel = minimumLevel
    }

    public func log(_ level: LogLevel, _ message: String, _ fields: [String: LogValue] = [:]) {
        guard level >= minimumLevel else { return }
        log(level, message, orderedFields: fields.sorted { $0.key < $1.key })
    }

    /// Fields in the caller's order.
    public func log(_ level: LogLevel, _ message: String, orderedFields: [(String, LogValue)]) {
        log(level, message) { line in
            for (key, value) in orderedFields { line.field(key, value) }
        }
    }

    /// The fast path for the access log: `fields` writes straight into the line, which is
    /// built in a buffer the thread reuses, so a line costs no array, dictionary or string.
    func log(_ level: LogLevel, _ message: String, fields: (inout LogLine) -> Void) {
        guard level >= minimumLevel else { return }
        let reusable = Logger.buffers.current
        // Taken out, so the array stays uniquely referenced while it grows.
        var line = LogLine(bytes: reusable.bytes)
        reusable.bytes = []
        line.bytes.append(contentsOf: #"{"time":""#.utf8)
        Timestamp.appendRFC3339Now(to: &line.bytes)
        line.bytes.append(UInt8(ascii: "\""))
        line.field(LogKey.level, level.rawValue)
        line.field(LogKey.msg, message)
        fields(&line)
        if let trace = LogScope.trace {
            trace.withIDs { traceID, spanID in
                line.field(LogKey.traceID, hex: traceID)
                line.field(LogKey.spanID, hex: spanID)
            }
        }
        line.bytes.append(UInt8(ascii: "}"))
        line.bytes.append(10)
        sink.write(line: line.bytes)
        line.bytes.removeAll(keepingCapacity: true)
        reusable.bytes = line.bytes
    }

    private final class LineBuffer {
        var bytes: [UInt8] = []
        init() { bytes.reserveCapacity(512) }
    }

    private static let buffers = PerThread { LineBuffer() }

    public func debug(_ message: String, _ fields: [String: LogValue] = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [String: LogValue] = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [String: LogValue] = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [String: LogValue] = [:]) { log(.error, message, fields) }
}

/// A field name the code fixes, written once as `,"name":`: quoting the names on every
/// line was a sixth of the access line's cost.
struct LogKey: Sendable {
    let bytes: [UInt8]

    /// `name` must need no JSON escaping (checked in debug builds).
    init(_ name: StaticString) {
        var bytes = Array(#",""#.utf8)
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        assert(name.withUTF8Buffer { $0.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 < 0x7F } })
        bytes.append(contentsOf: #"":"#.utf8)
        self.bytes = bytes
    }

    static let level = LogKey("level"), msg = LogKey("msg")
    static let traceID = LogKey("trace_id"), spanID = LogKey("span_id")
}

/// One log line being written: the fields after `msg`, each `,"key":value`.
struct LogLine {
    var bytes: [UInt8]

    mutating func field(_ key: LogKey, _ value: String) {
        bytes.append(contentsOf: key.bytes)
        JSONWriter.appendQuoted(value, to: &bytes)
    }

    /// Hex digits need no escaping: copied as they are.
    mutating func field(_ key: LogKey, hex: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: key.bytes)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: hex)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func field(_ key: LogKey, _ value: Int) {
        bytes.append(contentsOf: key.bytes)
        JSONWriter.appendInteger(value, to: &bytes)
    }

    /// A duration in milliseconds with up to three decimals, as `Double.description` writes
    /// the value rounded to the microsecond (`0.25`, `12.0`, `1.234`), without the float
    /// formatting and the string it costs.
    mutating func field(_ key: LogKey, milliseconds microseconds: Int) {
        bytes.append(contentsOf: key.bytes)
        let micros = max(0, microseconds)
        JSONWriter.appendInteger(micros / 1000, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        var fraction = micros % 1000
        guard fraction != 0 else {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var divisor = 100
        while fraction != 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    mutating func field(_ key: String, _ value: String) {
        begin(key)
        JSONWriter.appendQuoted(value, to: &bytes)
    }

    mutating func field(_ key: String, _ value: Int) {
        begin(key)
        JSONWriter.appendInteger(value, to: &bytes)
    }

    mutating func field(_ key: String, _ value: LogValue) {
        switch value {
        case .string(let text): field(key, text)
        case .int(let number): field(key, number)
        case .double(let number):
            begin(key)
            // JSON has no NaN or infinity; `description` is what `JSONWriter.double` writes.
            bytes.append(contentsOf: (number.isFinite ? number.description : "null").utf8)
        case .bool(let flag):
            begin(key)
            bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        }
    }

    private mutating func begin(_ key: String) {
        bytes.append(UInt8(ascii: ","))
        JSONWriter.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }
}
