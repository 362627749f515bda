/// The W3C Trace Context (https://www.w3.org/TR/trace-context/) of one request: the trace
/// it belongs to, this server's span in it, and what the caller sent. The ids are kept once,
/// inside the `traceparent` this server sends on, as the lowercase hex they travel as: log
/// lines copy them out of it, and a new trace costs one string instead of three.
/// A class: the request context is copied at every link, and one reference is cheaper to
/// copy than several strings.
public final class TraceContext: Sendable {
    /// The `traceparent` this server sends on (`00-<trace id>-<span id>-<flags>`): the same
    /// trace, its own span as parent.
    public let traceparent: String
    /// The caller's span (`parent-id` of its `traceparent`), nil when this request started the trace.
    public let parentSpanID: String?
    /// Only the `sampled` bit (§3.2.2.5): the other bits must be sent as zero.
    public let sampled: Bool
    /// The caller's `tracestate`, carried unchanged for calls this request makes.
    public let traceState: String?

    /// 32 lowercase hex digits, never all zeros.
    public var traceID: String { withIDs { trace, _ in String(decoding: trace, as: UTF8.self) } }
    /// This server's span: 16 lowercase hex digits, new for every request.
    public var spanID: String { withIDs { _, span in String(decoding: span, as: UTF8.self) } }

    convenience init(traceID: String, spanID: String, parentSpanID: String?, sampled: Bool, traceState: String?) {
        self.init(traceparent: TraceContext.traceparent(traceID: traceID, spanID: spanID, sampled: sampled),
                  parentSpanID: parentSpanID, sampled: sampled, traceState: traceState)
    }

    /// `traceparent` must be a well-formed version-00 value (as `TraceIDSource` writes them).
    init(traceparent: String, parentSpanID: String?, sampled: Bool, traceState: String?) {
        self.traceparent = traceparent
        self.parentSpanID = parentSpanID
        self.sampled = sampled
        self.traceState = traceState
    }

    /// The trace id and span id as bytes, straight from `traceparent`.
    func withIDs<Result>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var value = traceparent
        return value.withUTF8 { bytes in
            guard bytes.count >= 52 else { return body(UnsafeBufferPointer(start: nil, count: 0), UnsafeBufferPointer(start: nil, count: 0)) }
            return body(UnsafeBufferPointer(rebasing: bytes[3..<35]), UnsafeBufferPointer(rebasing: bytes[36..<52]))
        }
    }

    /// `00-traceid-spanid-flags` written in place: interpolation cost ~3k instructions a request.
    private static func traceparent(traceID: String, spanID: String, sampled: Bool) -> String {
        var trace = traceID, span = spanID
        return trace.withUTF8 { trace in
            span.withUTF8 { span in
                let count = 3 + trace.count + 1 + span.count + 3
                return String(unsafeUninitializedCapacity: count) { out in
                    var at = 0
                    func put(_ byte: UInt8) { out[at] = byte; at += 1 }
                    put(UInt8(ascii: "0")); put(UInt8(ascii: "0")); put(UInt8(ascii: "-"))
                    for byte in trace { put(byte) }
                    put(UInt8(ascii: "-"))
                    for byte in span { put(byte) }
                    put(UInt8(ascii: "-")); put(UInt8(ascii: "0")); put(UInt8(ascii: sampled ? "1" : "0"))
                    return at
                }
            }
        }
    }

    /// Continues the caller's trace when `traceparent` is valid, else starts a new one
    /// (§4.3: a malformed header is ignored, and `tracestate` with it).
    static func from(traceparent: [String], tracestate: [String], ids: TraceIDSource) -> TraceContext {
        guard traceparent.count == 1, let parent = TraceParent(traceparent[0]) else {
            return TraceContext(traceparent: ids.newTraceparent(), parentSpanID: nil, sampled: false, traceState: nil)
        }
        return TraceContext(traceID: parent.traceID, spanID: ids.nextSpan(), parentSpanID: parent.parentID,
                            sampled: parent.flags & 1 == 1, traceState: TraceParent.traceState(tracestate))
    }
}

/// A parsed `traceparent` header (§3.2): `version-traceid-parentid-flags`.
struct TraceParent: Equatable {
    let traceID: String
    let parentID: String
    let flags: UInt8

    /// Nil for anything malformed: uppercase hex, wrong lengths, all-zero ids, version
    /// `ff`, or a version-00 value with anything after the flags. A later version may
    /// append fields after a `-` (§4.3); its first four fields are read as version 00's.
    init?(_ value: String) {
        let bytes = Array(value.utf8)
        let dash = UInt8(ascii: "-"), zero = UInt8(ascii: "0")
        guard bytes.count >= 55, bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
              let version = TraceParent.hexByte(bytes[0], bytes[1]), version != 0xFF,
              let flags = TraceParent.hexByte(bytes[53], bytes[54]) else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 && bytes[55] != dash {
            return nil
        }
        let trace = bytes[3..<35], parent = bytes[36..<52]
        guard trace.allSatisfy(TraceParent.isLowerHex), parent.allSatisfy(TraceParent.isLowerHex),
              trace.contains(where: { $0 != zero }), parent.contains(where: { $0 != zero }) else { return nil }
        traceID = String(decoding: trace, as: UTF8.self)
        parentID = String(decoding: parent, as: UTF8.self)
        self.flags = flags
    }

    /// The combined `tracestate` fields (§3.3.1.1 allows splitting one list across
    /// several), or nil when absent, empty, over the 512 bytes §3.3.1.5 asks us to carry,
    /// or holding bytes that are not visible ASCII or space.
    static func traceState(_ fields: [String]) -> String? {
        let joined = fields.joined(separator: ",")
        let bytes = joined.utf8
        guard !bytes.isEmpty, bytes.count <= 512, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return joined
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard isLowerHex(high), isLowerHex(low) else { return nil }
        return nibble(high) << 4 | nibble(low)
    }

    private static func nibble(_ byte: UInt8) -> UInt8 {
        byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : byte - UInt8(ascii: "a") + 10
    }
}
