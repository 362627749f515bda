import Crypto
import Foundation
import HTTPCore

/// Signs a delivery as the Standard Webhooks specification does (API.md, Webhooks):
/// `v1,` + base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"), one
/// signature per live secret, space-separated, so a receiver that has not yet switched to
/// a rotated secret still verifies.
enum WebhookSigner {
    static var userAgent: String { "storefront-webhooks/\(StorefrontVersion.current)" }

    static func signature(key: [UInt8], id: String, timestamp: Int, body: [UInt8]) throws -> String {
        let message = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(try HMAC.sha256(key: key, message: message)).base64EncodedString()
    }

    /// The headers of one attempt: the newest secret's signature first.
    static func headers(id: String, timestamp: Int, body: [UInt8], secrets: [WebhookSecret]) throws -> HTTPHeaders {
        let signatures = try secrets.map { try signature(key: $0.key, id: id, timestamp: timestamp, body: body) }
        return HTTPHeaders([
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", signatures.joined(separator: " ")),
            ("content-type", "application/json"),
            ("user-agent", userAgent),
        ])
    }
}

/// When a failed delivery is tried again (API.md, Webhooks): exponential backoff with full
/// jitter — a uniformly random wait between zero and base·2^(n-1), at most `maxSeconds` —
/// so receivers coming back from an outage are not hit by every retry at once; a
/// `Retry-After` on a 429 or 503 is honoured up to the same cap.
struct RetrySchedule: Sendable, Equatable {
    let maxAttempts: Int
    let baseSeconds: Double
    let maxSeconds: Double

    /// The upper bound of the wait after the `attempts`-th failed attempt (1-based).
    func ceiling(afterAttempt attempts: Int) -> Double {
        // 2^(n-1) overflows nothing: the exponent stops growing once past the cap.
        let exponent = Double(min(max(attempts - 1, 0), 60))
        return min(maxSeconds, baseSeconds * pow(2, exponent))
    }

    /// The wait after the `attempts`-th failure; `uniform(x)` is a random value in [0, x].
    func delay(afterAttempt attempts: Int, retryAfter: Double?, uniform: (Double) -> Double) -> Double {
        if let retryAfter { return min(maxSeconds, max(0, retryAfter)) }
        let ceiling = ceiling(afterAttempt: attempts)
        return min(ceiling, max(0, uniform(ceiling)))
    }

    /// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, in seconds from `now`.
    static func retryAfter(_ value: String?, now: Date) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return value.utf8.count > 9 ? Double(999_999_999) : Double(value)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}
