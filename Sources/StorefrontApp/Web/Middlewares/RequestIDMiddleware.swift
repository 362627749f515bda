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
        outcome.updateResponse { $0.headers.set("X-Request-Id", context.requestID) }
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
/// counter. They need to be unique, not secret.
final class RequestIDGenerator: Sendable {
    private let prefix: String
    private let counter = Atomic<UInt64>(0)

    init() {
        var generator = SystemRandomNumberGenerator()
        prefix = RequestIDGenerator.hex(UInt64.random(in: 0...UInt64.max, using: &generator), digits: 16) + "-"
    }

    func next() -> String {
        prefix + RequestIDGenerator.hex(counter.wrappingAdd(1, ordering: .relaxed).newValue, digits: 10)
    }

    /// Fixed-width lowercase hex without the intermediate strings of `String(_:radix:)`.
    static func hex(_ value: UInt64, digits: Int) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: digits) { buffer in
            var rest = value
            for index in stride(from: digits - 1, through: 0, by: -1) {
                buffer[index] = alphabet[Int(rest & 0xF)]
                rest >>= 4
            }
            return digits
        }
    }
}
