import HTTPCore
import Synchronization

/// Gives every request an id: the client's `X-Request-Id` when it matches
/// `[A-Za-z0-9._-]{1,128}`, otherwise a new one; and puts it on the response.
struct RequestIDMiddleware: SynchronousLink {
    let generator: RequestIDGenerator

    func before(_ request: Request, context: inout RequestContext) throws -> HTTPResponse? {
        context.requestID = request.headers["X-Request-Id"].flatMap(RequestIDMiddleware.accepted) ?? generator.next()
        return nil
    }

    func after(_ request: Request, context: RequestContext, outcome: inout LinkOutcome) {
        // Added, not set: nothing inside this link writes the field (the error envelope
        // carries the id in its body), so there is no old value to scan for and remove.
        outcome.updateResponse { $0.headers.add("X-Request-Id", context.requestID) }
    }

    static func accepted(_ value: String) -> String? {
        let bytes = value.utf8
        guard (1...128).contains(bytes.count) else { return nil }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return nil
            }
        }
        return value
    }
}

/// Unique ids without a system call per request: a random per-process prefix and a
/// counter. They need to be unique, not secret. Fifteen characters, so that each is a small
/// string, stored inline: a request id is copied into the context, the header, the log line
/// and error bodies, and a heap string cost an allocation and a retain/release at each.
/// Six random characters (36 bits) tell processes apart (two instances collide with
/// probability 2^-36); nine counter characters (54 bits) never wrap.
final class RequestIDGenerator: Sendable {
    /// What `RequestIDMiddleware.accepted` allows, 64 symbols: six bits a character.
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".utf8)
    static let length = 15
    private static let prefixLength = 6
    private let prefix: UInt64
    private let counter = Atomic<UInt64>(0)

    init() {
        var generator = SystemRandomNumberGenerator()
        prefix = UInt64.random(in: 0..<(1 << 36), using: &generator)
    }

    func next() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: RequestIDGenerator.length) { buffer in
            RequestIDGenerator.write(prefix, into: buffer, from: 0, digits: RequestIDGenerator.prefixLength)
            RequestIDGenerator.write(count, into: buffer, from: RequestIDGenerator.prefixLength,
                                     digits: RequestIDGenerator.length - RequestIDGenerator.prefixLength)
            return RequestIDGenerator.length
        }
    }

    /// `value` in base 64, most significant first, in exactly `digits` characters.
    private static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int, digits: Int) {
        guard let target = buffer.baseAddress else { return }
        precondition(start + digits <= buffer.count)
        var rest = value
        // Through pointers: the indexed loop's bounds checks were most of an id's cost.
        alphabet.withUnsafeBufferPointer { symbols in
            guard let symbol = symbols.baseAddress else { return }
            for index in stride(from: start &+ digits &- 1, through: start, by: -1) {
                target[index] = symbol[Int(truncatingIfNeeded: rest & 63)]
                rest >>= 6
            }
        }
    }
}
