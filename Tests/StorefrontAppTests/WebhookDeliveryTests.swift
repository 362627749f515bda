import Foundation
import ReceiverTestSupport
import Testing
@testable import StorefrontApp

/// API.md, Webhooks, Rules of delivery: one attempt at a time against real loopback
/// receivers (plain and TLS with a CA the test made), on a clock the test moves.
@Suite struct WebhookDeliveryTests {
    @Test func aDeliveryArrivesSignedWithStandardWebhooksHeaders() async throws {
        try await withWebhooks { hooks in
            let receiver = try TestServer { _ in .text(ok) }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url + "/in?tenant=7")
            let secret = try #require(endpoint.string("secret"))
            let delivery = try await hooks.ping(endpoint.id)
            let clock = TestClock()
            #expect(try await hooks.deliverer(clock: clock).attempt(delivery) == .succeeded)
            let request = ReceivedRequest(try #require(receiver.requests.first))
            #expect(request.requestLine == "POST /in?tenant=7 HTTP/1.1")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["user-agent"] == "storefront-webhooks/\(StorefrontVersion.current)")
            #expect(request.headers["webhook-timestamp"] == String(Int(clock.now.timeIntervalSince1970)))
            #expect(try request.signers(among: [secret]) == [secret])
            let body = request.json
            #expect(request.headers["webhook-id"] == body.id)
            #expect(body.string("type") == "webhook.ping")
            #expect((body["data"] as? [String: Any])?["endpoint_id"] as? String == endpoint.id)
            #expect(body.string("created_at")?.hasSuffix("Z") == true)
            let record = try await hooks.delivery(delivery, of: endpoint.id)
            #expect(record.string("status") == "succeeded")
            #expect(record.int("attempts") == 1)
            #expect(record.int("last_response_status") == 200)
            #expect(try await hooks.deliverer(clock: clock).attempt(delivery) == .finished)
            #expect(receiver.requests.count == 1)
        }
    }

    @Test func httpsReceiversAreVerifiedAgainstTheConfiguredCA() async throws {
        let pki = try await TestPKI.shared.value
        try await withWebhooks { hooks in
            let receiver = try TestServer(tls: pki.good) { _ in .text(ok) }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url + "/secure")
            let delivery = try await hooks.ping(endpoint.id)
            #expect(try await hooks.deliverer(clock: TestClock()).attempt(delivery) == .succeeded)
            let request = ReceivedRequest(try #require(receiver.requests.first))
            #expect(try request.signers(among: [try #require(endpoint.string("secret"))]).count == 1)
        }
    }

    /// The wrong CA, an expired certificate, a certificate for another host: each a
    /// failed attempt with a TLS error, never a delivery.
    @Test(arguments: ["unknownIssuer", "expired", "wrongHost"])
    func badCertificatesFailTheAttempt(kind: String) async throws {
        let pki = try await TestPKI.shared.value
        let pair = kind == "unknownIssuer" ? pki.unknownIssuer : kind == "expired" ? pki.expired : pki.wrongHost
        try await withWebhooks { hooks in
            let receiver = try TestServer(tls: pair) { _ in .text(ok) }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url + "/x")
            let delivery = try await hooks.ping(endpoint.id)
            let result = try await hooks.deliverer(clock: TestClock()).attempt(delivery)
            guard case .retry = result else { Issue.record("\(kind): \(result)"); return }
            #expect(receiver.requests.isEmpty)
            let record = try await hooks.delivery(delivery, of: endpoint.id)
            #expect(record.string("status") == "failed")
            #expect(record.string("last_error")?.hasPrefix("tls:") == true, "\(record)")
        }
    }

    @Test func rotationSignsWithBothSecretsNewestFirst() async throws {
        try await withWebhooks { hooks in
            let receiver = try TestServer { _ in .text(ok) }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url)
            let old = try #require(endpoint.string("secret"))
            let rotated = try RunningApp.json(try await hooks.api.call("POST", "/api/v1/webhooks/\(endpoint.id)/rotate-secret",
                                                                       bearer: hooks.admin))
            let new = try #require(rotated.string("secret"))
            let delivery = try await hooks.ping(endpoint.id)
            #expect(try await hooks.deliverer(clock: TestClock()).attempt(delivery) == .succeeded)
            let request = ReceivedRequest(try #require(receiver.requests.first))
            #expect(try request.signers(among: [old, new]) == [new, old])
            // Once the grace period is over, the old secret signs no more.
            _ = try await hooks.api.db.query("""
                UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1::uuid
                """, [endpoint.id])
            let later = try await hooks.ping(endpoint.id)
            #expect(try await hooks.deliverer(clock: TestClock()).attempt(later) == .succeeded)
            #expect(try ReceivedRequest(try #require(receiver.requests.last)).signers(among: [old, new]) == [new])
        }
    }

    /// A receiver failing three times: each retry waits base·2^(n-1) at most (here the
    /// largest jitter), is not attempted before then, and carries the same webhook-id.
    @Test func failedAttemptsAreRetriedWithBackoffUnderTheSameWebhookID() async throws {
        try await withWebhooks(environment: ["WEBHOOK_RETRY_BASE_S": "10", "WEBHOOK_RETRY_MAX_S": "35"]) { hooks in
            let receiver = try TestServer(reply: scripted([status(500), .text("HTTP/1.1 502 X\r\n\r\n"), status(404)]))
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url)
            let delivery = try await hooks.ping(endpoint.id)
            let clock = TestClock()
            let deliverer = hooks.deliverer(clock: clock)
            for (index, wait) in [10.0, 20.0, 35.0].enumerated() {
                let start = clock.now
                #expect(try await deliverer.attempt(delivery) == .retry(at: start.addingTimeInterval(wait)), "\(index)")
                let record = try await hooks.delivery(delivery, of: endpoint.id)
                #expect(record.string("status") == "failed")
                #expect(record.int("attempts") == index + 1)
                clock.advance(wait - 1)
                #expect(try await deliverer.attempt(delivery) == .notDue(start.addingTimeInterval(wait)))
                clock.advance(1)
            }
            #expect(try await deliverer.attempt(delivery) == .succeeded)
            let ids = Set(receiver.requests.map { ReceivedRequest($0).headers["webhook-id"] ?? "" })
            #expect(receiver.requests.count == 4)
            #expect(ids.count == 1)
            let record = try await hooks.delivery(delivery, of: endpoint.id)
            #expect(record.string("status") == "succeeded")
            #expect(record.int("attempts") == 4)
        }
    }

    @Test func fullJitterDrawsBelowTheDoublingCeiling() {
        let schedule = RetrySchedule(maxAttempts: 10, baseSeconds: 30, maxSeconds: 3600)
        #expect((1...9).map { schedule.ceiling(afterAttempt: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(schedule.ceiling(afterAttempt: 500) == 3600)
        #expect(schedule.delay(afterAttempt: 3, retryAfter: nil) { _ in 0 } == 0)
        #expect(schedule.delay(afterAttempt: 3, retryAfter: nil) { $0 / 2 } == 60)
        // A random source out of range is clamped, never a wait past the ceiling.
        #expect(schedule.delay(afterAttempt: 2, retryAfter: nil) { $0 * 10 } == 60)
        #expect(schedule.delay(afterAttempt: 2, retryAfter: nil) { _ in -5 } == 0)
        for _ in 0..<200 {
            let delay = schedule.delay(afterAttempt: 4, retryAfter: nil) { Double.random(in: 0...$0) }
            #expect((0...240).contains(delay))
        }
        #expect(schedule.delay(afterAttempt: 1, retryAfter: 90) { _ in 0 } == 90)
        #expect(schedule.delay(afterAttempt: 1, retryAfter: 90_000) { _ in 0 } == 3600)
    }

    @Test(arguments: [("120", 120.0), (" 7 ", 7.0), ("0", 0.0), ("Tue, 01 Dec 2026 10:00:30 GMT", 30.0),
                      ("Tue, 01 Dec 2026 09:00:00 GMT", 0.0), ("soon", nil), ("-5", nil), ("", nil),
                      ("99999999999999999999", 999_999_999.0)] as [(String, Double?)])
    func retryAfterIsReadAsSecondsOrAnHTTPDate(value: String, seconds: Double?) {
        let now = Date(timeIntervalSince1970: 1_796_119_200)  // Tue, 01 Dec 2026 10:00:00 GMT
        #expect(RetrySchedule.retryAfter(value, now: now) == seconds, "\(value)")
    }

    @Test(arguments: [(503, "Retry-After: 7\r\n", 7.0), (429, "Retry-After: 100000\r\n", 40.0), (500, "Retry-After: 7\r\n", 0.0)])
    func retryAfterIsHonouredOn429And503UpToTheCap(code: Int, header: String, wait: Double) async throws {
        try await withWebhooks(environment: ["WEBHOOK_RETRY_BASE_S": "5", "WEBHOOK_RETRY_MAX_S": "40"]) { hooks in
            let receiver = try TestServer { _ in status(code, header) }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url)
            let delivery = try await hooks.ping(endpoint.id)
            let clock = TestClock()
            // No jitter: a 500's wait is the jitter's draw (0), a Retry-After is not jittered.
            let result = try await hooks.deliverer(clock: clock) { _ in 0 }.attempt(delivery)
            #expect(result == .retry(at: clock.now.addingTimeInterval(wait)))
            #expect(try await hooks.delivery(delivery, of: endpoint.id).int("last_response_status") == code)
        }
    }

    @Test func aReceiverThatHangsIsATimeout() async throws {
        try await withWebhooks(environment: ["WEBHOOK_TIMEOUT_MS": "300"]) { hooks in
            let receiver = try TestServer { _ in .hang }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url)
            let delivery = try await hooks.ping(endpoint.id)
            guard case .retry = try await hooks.deliverer(clock: TestClock()).attempt(delivery) else {
                Issue.record("not a failed attempt"); return
            }
            let record = try await hooks.delivery(delivery, of: endpoint.id)
            #expect(record.string("last_error") == "timeout")
            #expect(record["last_response_status"] is NSNull)
        }
    }

    @Test func aRefusedConnectionIsAFailedAttempt() async throws {
        try await withWebhooks { hooks in
            let endpoint = try await hooks.subscribe("http://127.0.0.1:\(try LoopbackSocket.closedPort())/x")
            let delivery = try await hooks.ping(endpoint.id)
            guard case .retry = try await hooks.deliverer(clock: TestClock()).attempt(delivery) else {
                Issue.record("not a failed attempt"); return
            }
            #expect(try await hooks.delivery(delivery, of: endpoint.id).string("last_error") == "connection refused")
        }
    }

    @Test func theLastFailedAttemptIsDeadAndRedeliverStartsOver() async throws {
        try await withWebhooks(environment: ["WEBHOOK_MAX_ATTEMPTS": "2", "WEBHOOK_BREAKER_FAILURES": "10"]) { hooks in
            let receiver = try TestServer(reply: scripted([status(500), status(500)]))
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url)
            let delivery = try await hooks.ping(endpoint.id)
            let clock = TestClock()
            let deliverer = hooks.deliverer(clock: clock) { _ in 0 }
            guard case .retry = try await deliverer.attempt(delivery) else { Issue.record("first"); return }
            #expect(try await deliverer.attempt(delivery) == .dead)
            #expect(try await deliverer.attempt(delivery) == .finished)
            #expect(receiver.requests.count == 2)
            let dead = try await hooks.delivery(delivery, of: endpoint.id)
            #expect(dead.string("status") == "dead")
            #expect(dead["next_attempt_at"] is NSNull)
            let path = "/api/v1/webhooks/\(endpoint.id)/deliveries/\(delivery.uuidString.lowercased())/redeliver"
            let redelivered = try await hooks.api.call("POST", path, bearer: hooks.admin)
            #expect(redelivered.status == 202)
            #expect(try await deliverer.attempt(delivery) == .succeeded)
            let record = try await hooks.delivery(delivery, of: endpoint.id)
            #expect(record.int("attempts") == 1)
            #expect(Set(receiver.requests.map { ReceivedRequest($0).headers["webhook-id"] ?? "" }).count == 1)
        }
    }

    @Test func a410AnswerDisablesTheEndpoint() async throws {
        try await withWebhooks { hooks in
            let receiver = try TestServer { _ in status(410) }
            defer { receiver.stop() }
            let endpoint = try await hooks.subscribe(receiver.url)
            let first = try await hooks.ping(endpoint.id)
            let second = try await hooks.ping(endpoint.id)
            let deliverer = hooks.deliverer(clock: TestClock())
            #expect(try await deliverer.attempt(first) == .dead)
            #expect(try await hooks.endpoint(endpoint.id)["enabled"] as? Bool == false)
            // The other delivery is not attempted at all.
            #expect(try await deliverer.attempt(second) == .dead)
            #expect(receiver.requests.count == 1)
            #expect(try await hooks.delivery(second, of: endpoint.id).int("attempts") == 0)
        }
    }
}
