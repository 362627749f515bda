import Foundation

extension JobKind {
    /// One attempt (or a postponement) of one delivery; payload `{"delivery_id": "<uuid>"}`.
    static let webhookDeliver = JobKind("webhook.deliver")
}

/// Hands deliveries to the queue: one `webhook.deliver` job each, in the caller's transaction.
struct QueuedDeliveries: DeliveryScheduler {
    let queue: JobQueue

    func schedule(_ deliveryIDs: [UUID], in tx: Transaction) async throws {
        let payloads = deliveryIDs.map { JSONValue.object(JSONObject([("delivery_id", .string($0.uuidString.lowercased()))])) }
        try await queue.enqueue(kind: .webhookDeliver, payloads: payloads, in: tx)
    }

    static func deliveryID(of job: ClaimedJob) -> UUID? {
        guard case .object(let payload) = job.payload, case .string(let text)? = payload["delivery_id"] else { return nil }
        return UUID(uuidString: text)
    }
}

/// `event.published`: an outbox event becomes one delivery per enabled endpoint subscribed
/// to its type, and one `webhook.deliver` job per delivery, all in one transaction.
struct WebhookFanOut: JobHandler {
    let database: Database
    let outbox: EventOutbox
    let deliveries: DeliveryRepository
    let scheduler: QueuedDeliveries
    let logger: Logger

    var kind: JobKind { .eventPublished }

    func run(_ job: ClaimedJob) async -> JobOutcome {
        guard let id = EventOutbox.eventID(of: job) else { return .dead(error: "payload names no event_id") }
        do {
            guard let event = try await outbox.event(id) else { return .done }
            let body = String(decoding: event.body, as: UTF8.self)
            try await database.transaction { tx in
                let made = try await deliveries.fanOut(eventID: event.id, eventType: event.type, body: body, on: tx)
                try await scheduler.schedule(made, in: tx)
            }
            return .done
        } catch {
            logger.warning("webhook fan-out failed", ["event_id": .string(id.uuidString.lowercased()),
                                                      "error": .string(String(describing: error))])
            return .retry(at: Date().addingTimeInterval(5), error: "fan-out failed; see the log")
        }
    }
}

/// `webhook.deliver`: one call of the deliverer. A failed attempt is a job retry at the
/// delivery's next attempt; an open circuit (or a delivery not due or held elsewhere) is a
/// postponement, which spends no attempt of the job either.
struct WebhookDeliveryJob: JobHandler {
    let deliverer: WebhookDeliverer

    var kind: JobKind { .webhookDeliver }

    func run(_ job: ClaimedJob) async -> JobOutcome {
        guard let id = QueuedDeliveries.deliveryID(of: job) else { return .dead(error: "payload names no delivery_id") }
        do {
            let result = try await deliverer.attempt(id)
            switch result {
            case .succeeded, .dead, .finished: return .done
            case .retry(let at): return .retry(at: at, error: "delivery attempt failed")
            case .postponed(let until), .notDue(let until): return .postpone(until: until)
            case .interrupted: return .postpone(until: Date())
            }
        } catch {
            deliverer.logger.warning("webhook attempt could not be recorded", [
                "delivery_id": .string(id.uuidString.lowercased()), "error": .string(String(describing: error))])
            return .retry(at: Date().addingTimeInterval(5), error: "attempt not recorded; see the log")
        }
    }
}
