import Locking
import Crypto
import Foundation
import HTTPTestSupport
import ReceiverTestSupport
import Synchronization
import TestSupport
@testable import StorefrontApp

/// A webhooks test: the app on a fresh database (loopback receivers allowed, `http://`
/// too), an admin's access token, and the deliverer the workers would run.
struct WebhookApp {
    let api: IdentityApp
    let admin: String

    var webhooks: WebhooksModule { api.app.application.domains.webhooks }

    /// The deliverer on a hand-moved clock, with the largest jitter unless told otherwise.
    func deliverer(clock: TestClock, uniform: @escaping @Sendable (Double) -> Double = { $0 }) -> WebhookDeliverer {
        var deliverer = webhooks.deliverer
        deliverer.clock = { clock.now }
        deliverer.uniform = uniform
        return deliverer
    }

    /// Subscribes `url` and returns the endpoint's JSON (with its one-time `secret`).
    func subscribe(_ url: String, events: [String] = ["*"]) async throws -> [String: Any] {
        let list = events.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await api.call("POST", "/api/v1/webhooks", body: #"{"url":"\#(url)","events":[\#(list)]}"#,
                                          bearer: admin)
        guard response.status == 201 else { throw TestFailure("subscribe \(url): \(response.status) \(response.bodyText)") }
        return try RunningApp.json(response)
    }

    /// A ping delivery for the endpoint; returns its id.
    func ping(_ endpointID: String) async throws -> UUID {
        let response = try await api.call("POST", "/api/v1/webhooks/\(endpointID)/ping", bearer: admin)
        guard response.status == 202, let id = UUID(uuidString: try RunningApp.json(response).id) else {
            throw TestFailure("ping: \(response.status) \(response.bodyText)")
        }
        return id
    }

    /// The delivery as the API shows it.
    func delivery(_ id: UUID, of endpointID: String) async throws -> [String: Any] {
        let response = try await api.call("GET", "/api/v1/webhooks/\(endpointID)/deliveries?limit=100", bearer: admin)
        let data = try RunningApp.json(response)["data"] as? [[String: Any]] ?? []
        guard let delivery = data.first(where: { $0.id == id.uuidString.lowercased() }) else {
            throw TestFailure("no delivery \(id): \(response.bodyText)")
        }
        return delivery
    }

    func endpoint(_ id: String) async throws -> [String: Any] {
        try RunningApp.json(try await api.call("GET", "/api/v1/webhooks/\(id)", bearer: admin))
    }
}

func withWebhooks(environment: [String: String] = [:], _ body: (WebhookApp) async throws -> Void) async throws {
    var env = ["WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_ALLOW_HTTP": "true", "DB_POOL_TIMEOUT_MS": "30000",
               "WEBHOOK_CA_FILE": try await TestPKI.shared.value.caFile]
    env.merge(environment) { _, new in new }
    try await withIdentityApp(environment: env) { api in
        try await body(WebhookApp(api: api, admin: try await api.admin().access))
    }
}

/// Time the deliverer sees, moved by the test. It starts a minute ahead of the database,
/// on a whole second: rows the database dates with now() (a new or redelivered delivery)
/// are due at once, and times survive the database's millisecond rounding unchanged.
final class TestClock: Sendable {
    private let current: Locked<Date>
    init(_ start: Date = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 60).rounded(.down))) {
        current = Locked(start)
    }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A request a receiver recorded, split into head fields and body bytes.
struct ReceivedRequest {
    let requestLine: String
    let headers: [String: String]
    let body: [UInt8]

    init(_ bytes: [UInt8]) {
        let terminator = Array("\r\n\r\n".utf8)
        let end = bytes.indices.dropLast(3).first { Array(bytes[$0..<($0 + 4)]) == terminator } ?? bytes.count
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        requestLine = lines.first ?? ""
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = end + 4 <= bytes.count ? Array(bytes[(end + 4)...]) : []
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }

    /// Standard Webhooks verification done here from the raw bytes, not by the signer:
    /// which of `secrets` (as shown to the admin) signed this request, in header order.
    func signers(among secrets: [String]) throws -> [String] {
        let id = headers["webhook-id"] ?? "", timestamp = headers["webhook-timestamp"] ?? ""
        let message = Array("\(id).\(timestamp).".utf8) + body
        let presented = (headers["webhook-signature"] ?? "").split(separator: " ").map(String.init)
        return try presented.map { signature in
            for secret in secrets {
                guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))) else { continue }
                let expected = "v1," + Data(try HMAC.sha256(key: Array(key), message: message)).base64EncodedString()
                if expected == signature { return secret }
            }
            return "(no secret)"
        }
    }
}

/// Replies in script order, then `otherwise` for every later request.
func scripted(_ script: [Reply], otherwise: Reply = .text(ok)) -> @Sendable ([UInt8]) -> Reply {
    let served = LockedState(0)
    return { _ in
        let index = served.withLock { count in
            defer { count += 1 }
            return count
        }
        return index < script.count ? script[index] : otherwise
    }
}

let ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
func status(_ code: Int, _ extra: String = "") -> Reply { .text("HTTP/1.1 \(code) X\r\nContent-Length: 0\r\n\(extra)\r\n") }

/// `reply`, except that the request after the first `count` blocks its receiver thread
/// until `semaphore` is signalled: an attempt held in flight.
func holding(_ reply: @escaping @Sendable ([UInt8]) -> Reply, after count: Int,
             until semaphore: DispatchSemaphore) -> @Sendable ([UInt8]) -> Reply {
    let seen = LockedState(0)
    return { request in
        let index = seen.withLock { seen in
            defer { seen += 1 }
            return seen
        }
        if index == count { semaphore.wait() }
        return reply(request)
    }
}
