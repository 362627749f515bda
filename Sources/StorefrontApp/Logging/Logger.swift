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

    /// The fast path for the access log: fields keep the caller's order.
    public func log(_ level: LogLevel, _ message: String, orderedFields: [(String, LogValue)]) {
        guard level >= minimumLevel else { return }
        var line = JSONWriter()
        line.beginObject()
        line.key("time"); line.string(Timestamp.rfc3339Now())
        line.key("level"); line.string(level.rawValue)
        line.key("msg"); line.string(message)
        for (key, value) in orderedFields {
            line.key(key)
            switch value {
            case .string(let text): line.string(text)
            case .int(let number): line.integer(number)
            case .double(let number): line.double(number)
            case .bool(let flag): line.bool(flag)
            }
        }
        if let trace = LogScope.trace {
            line.key("trace_id"); line.string(trace.traceID)
            line.key("span_id"); line.string(trace.spanID)
        }
        line.endObject()
        line.newline()
        sink.write(line: line.bytes)
    }

    public func debug(_ message: String, _ fields: [String: LogValue] = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [String: LogValue] = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [String: LogValue] = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [String: LogValue] = [:]) { log(.error, message, fields) }
}
