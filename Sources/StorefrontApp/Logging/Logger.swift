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
    /// One finished line, newline included; the bytes are only valid during the call.
    func write(line: UnsafeBufferPointer<UInt8>)
}

extension LogSink {
    public func write(line: [UInt8]) { line.withUnsafeBufferPointer { write(line: $0) } }
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
    /// built in memory the thread reuses, so a line costs no array, dictionary or string.
    func log(_ level: LogLevel, _ message: String, fields: (inout LogLine) -> Void) {
        guard level >= minimumLevel else { return }
        log(level, message, trace: LogScope.trace, fields: fields)
    }

    /// The same, naming the trace itself: the access line has it in the request context,
    /// and reading the task-local walks the task's value chain on every request.
    func log(_ level: LogLevel, _ message: String, trace: TraceContext?, fields: (inout LogLine) -> Void) {
        guard level >= minimumLevel else { return }
        let reusable = Logger.buffers.current
        // A line logged while this thread's buffer is in use (from inside `fields`) gets one
        // of its own.
        let storage = reusable.inUse ? LineStorage() : reusable
        storage.inUse = true
        var line = LogLine(storage)
        line.append(literal: #"{"time":""#)
        Timestamp.appendRFC3339Now(to: &line)
        line.append(UInt8(ascii: "\""))
        line.field(LogKey.level, level.rawValue)
        line.field(LogKey.msg, message)
        fields(&line)
        if let trace {
            trace.withIDs { traceID, spanID in
                line.field(LogKey.traceID, hex: traceID)
                line.field(LogKey.spanID, hex: spanID)
            }
        }
        line.append(UInt8(ascii: "}"))
        line.append(10)
        line.finish { sink.write(line: $0) }
        storage.inUse = false
    }

    private static let buffers = PerThread { LineStorage() }

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

/// Memory a thread reuses for its log lines; `LogLine` writes into it and grows it.
final class LineStorage {
    fileprivate(set) var base: UnsafeMutablePointer<UInt8>
    fileprivate(set) var capacity: Int
    fileprivate var inUse = false

    init(capacity: Int = 512) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { base.deallocate() }

    fileprivate func grow(keeping count: Int, toHold needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.update(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = size
    }
}

/// One log line being written: the fields after `msg`, each `,"key":value`. Appends go
/// straight into the thread's `LineStorage`: a capacity check and a copy, where
/// `Array.append(contentsOf:)` was a call, a uniqueness check and a capacity check for
/// each of the forty or so pieces of an access line.
struct LogLine: JSONOutput {
    private let storage: LineStorage
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(_ storage: LineStorage) {
        self.storage = storage
        base = storage.base
        capacity = storage.capacity
    }

    /// Hands the finished bytes to `body`; the line must not be used after.
    func finish<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        body(UnsafeBufferPointer(start: base, count: count))
    }

    @inline(__always)
    private mutating func reserve(_ more: Int) {
        guard count + more > capacity else { return }
        storage.grow(keeping: count, toHold: count + more)
        base = storage.base
        capacity = storage.capacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func append(literal text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    mutating func field(_ key: LogKey, _ value: String) {
        append(contentsOf: key.bytes)
        JSONWriter.appendQuoted(value, to: &self)
    }

    /// Hex digits need no escaping: copied as they are.
    mutating func field(_ key: LogKey, hex: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: key.bytes)
        append(UInt8(ascii: "\""))
        append(contentsOf: hex)
        append(UInt8(ascii: "\""))
    }

    mutating func field(_ key: LogKey, _ value: Int) {
        append(contentsOf: key.bytes)
        JSONWriter.appendInteger(value, to: &self)
    }

    /// A duration in milliseconds with up to three decimals, as `Double.description` writes
    /// the value rounded to the microsecond (`0.25`, `12.0`, `1.234`), without the float
    /// formatting and the string it costs.
    mutating func field(_ key: LogKey, milliseconds microseconds: Int) {
        append(contentsOf: key.bytes)
        let micros = max(0, microseconds)
        JSONWriter.appendInteger(micros / 1000, to: &self)
        append(UInt8(ascii: "."))
        var fraction = micros % 1000
        guard fraction != 0 else {
            append(UInt8(ascii: "0"))
            return
        }
        var divisor = 100
        while fraction != 0 {
            append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    mutating func field(_ key: String, _ value: String) {
        begin(key)
        JSONWriter.appendQuoted(value, to: &self)
    }

    mutating func field(_ key: String, _ value: Int) {
        begin(key)
        JSONWriter.appendInteger(value, to: &self)
    }

    mutating func field(_ key: String, _ value: LogValue) {
        switch value {
        case .string(let text): field(key, text)
        case .int(let number): field(key, number)
        case .double(let number):
            begin(key)
            // JSON has no NaN or infinity; `description` is what `JSONWriter.double` writes.
            var text = number.isFinite ? number.description : "null"
            text.withUTF8 { append(contentsOf: $0) }
        case .bool(let flag):
            begin(key)
            append(literal: flag ? "true" : "false")
        }
    }

    private mutating func begin(_ key: String) {
        append(UInt8(ascii: ","))
        JSONWriter.appendQuoted(key, to: &self)
        append(UInt8(ascii: ":"))
    }
}
