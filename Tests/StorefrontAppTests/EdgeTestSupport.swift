import Foundation
import HTTPTestSupport
@testable import StorefrontApp

extension RunningApp {
    /// One exchange (`request`: its blocking socket I/O runs on a thread of its own).
    func send(_ method: String, _ path: String, headers: [String] = [], body: String? = nil) async throws
        -> RawHTTPClient.Response {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: test"] + headers
        if let body { lines += ["Content-Type: application/json", "Content-Length: \(body.utf8.count)"] }
        let raw = lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
        return try await request(raw)
    }
}

/// The rate-limit figures of one answer, read from both header families.
struct RateLimitFields: Equatable, CustomStringConvertible {
    let policy: String
    let limit: Int
    let remaining: Int
    let reset: Int

    init(policy: String, limit: Int, remaining: Int, reset: Int) {
        self.policy = policy
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// Nil unless both families are present, well-formed and agree.
    init?(_ response: RawHTTPClient.Response) {
        guard let limit = response.header("X-RateLimit-Limit").flatMap(Int.init),
              let remaining = response.header("X-RateLimit-Remaining").flatMap(Int.init),
              let reset = response.header("X-RateLimit-Reset").flatMap(Int.init),
              let policyField = response.header("RateLimit-Policy"), let field = response.header("RateLimit")
        else { return nil }
        // "<policy>";q=<limit>;w=60 and "<policy>";r=<remaining>;t=<reset>
        let policyParts = policyField.split(separator: ";").map(String.init)
        let parts = field.split(separator: ";").map(String.init)
        guard policyParts.count == 3, parts.count == 3, policyParts[0] == parts[0],
              policyParts[0].hasPrefix("\""), policyParts[0].hasSuffix("\""),
              policyParts[1] == "q=\(limit)", policyParts[2] == "w=60",
              parts[1] == "r=\(remaining)", parts[2] == "t=\(reset)" else { return nil }
        policy = String(policyParts[0].dropFirst().dropLast())
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    var description: String { "\(policy) \(remaining)/\(limit) reset \(reset)" }
}
