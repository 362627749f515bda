import Crypto
import Foundation

/// The value of an `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header):
/// 1...255 visible ASCII characters, sent bare (`abc`) or as a structured-field string
/// (`"abc"`, RFC 8941 §3.3.3, with `\"` and `\\` escapes). Both spellings name one key.
struct IdempotencyKey: Sendable, Equatable {
    static let maxLength = 255
    let value: String

    init?(header: String) {
        var bytes = Array(header.utf8)
        if bytes.first == UInt8(ascii: "\"") {
            guard let unquoted = IdempotencyKey.unquote(bytes) else { return nil }
            bytes = unquoted
        }
        // Visible ASCII only (%x21-7E): what a log line and a database key can hold as is.
        guard (1...IdempotencyKey.maxLength).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7E).contains($0) }),
              let text = String(validating: bytes, as: UTF8.self) else { return nil }
        value = text
    }

    /// RFC 8941 §4.2.5: the characters between the quotes, with escapes resolved; nil when
    /// the string is not closed right at the end or escapes anything but `"` and `\`.
    private static func unquote(_ bytes: [UInt8]) -> [UInt8]? {
        var result: [UInt8] = []
        var index = 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") || bytes[index + 1] == UInt8(ascii: "\\")
                else { return nil }
                result.append(bytes[index + 1])
                index += 2
            } else if byte == UInt8(ascii: "\"") {
                return index == bytes.count - 1 ? result : nil
            } else {
                result.append(byte)
                index += 1
            }
        }
        return nil
    }
}

/// What makes two requests "the same" for a key: SHA-256 over the method, the target
/// (path and query) and the body, each length-prefixed so no two requests share an input.
struct RequestFingerprint: Sendable, Equatable {
    let digest: [UInt8]

    init(method: String, target: String, body: [UInt8]) throws {
        var input: [UInt8] = []
        input.reserveCapacity(method.utf8.count + target.utf8.count + body.count + 24)
        for part in [Array(method.utf8), Array(target.utf8), body] {
            withUnsafeBytes(of: UInt64(part.count).bigEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: part)
        }
        digest = try SHA256.hash(input)
    }

    init(digest: [UInt8]) { self.digest = digest }
}

/// A response as stored for replay: what API.md says a retry gets back.
struct StoredResponse: Sendable, Equatable {
    let status: Int
    let contentType: String?
    let location: String?
    let etag: String?
    let body: [UInt8]
}

/// A stored answer and the request it answered.
struct IdempotencyRecord: Sendable {
    let fingerprint: RequestFingerprint
    let response: StoredResponse
}

/// How the gate answered: by running the request, or by replaying the stored answer.
enum IdempotentOutcome<Answer: Sendable>: Sendable {
    case fresh(Answer)
    case replayed(StoredResponse)
}
