import Foundation

/// The transactional outbox (API.md, Webhooks; ADR 0008): a change announces itself by
/// writing its event row, and an `event.published` job that fans it out, in the change's own
/// transaction. A committed change therefore always has its event and a rolled-back one never
/// does; delivery happens later, outside the request, at least once.
struct EventOutbox: Sendable {
    let queue: JobQueue
    let events: EventRepository

    init(queue: JobQueue) {
        self.queue = queue
        events = EventRepository()
    }

    /// Writes the events (each `data` the resource's JSON exactly as the API renders it) in
    /// `tx`, with one `event.published` job each: two statements however many there are.
    /// Returns the events' ids.
    @discardableResult
    func record(_ drafts: [OutboxDraft], in tx: Transaction) async throws -> [UUID] {
        guard !drafts.isEmpty else { return [] }
        let ids = try await events.insert(types: drafts.map(\.type),
                                          data: drafts.map { String(decoding: $0.data, as: UTF8.self) }, on: tx)
        let payloads = ids.map { JSONValue.object(JSONObject([("event_id", .string($0.uuidString.lowercased()))])) }
        try await queue.enqueue(kind: .eventPublished, payloads: payloads, in: tx)
        return ids
    }

    /// The event an `event.published` job (or a delivery) names; nil when it is gone.
    func event(_ id: UUID) async throws -> OutboxEvent? {
        try await queue.database.autocommit { db in try await events.find(id: id, on: db) }
    }

    /// Deletes fanned-out events older than `days` (WEBHOOK_RETENTION_DAYS, like the
    /// delivery records); returns how many.
    func purge(olderThanDays days: Int) async throws -> Int {
        try await queue.database.autocommit { db in try await events.purge(olderThanDays: days, on: db) }
    }

    /// The event id of an `event.published` job's payload.
    static func eventID(of job: ClaimedJob) -> UUID? {
        guard case .object(let payload) = job.payload, case .string(let text)? = payload["event_id"] else { return nil }
        return UUID(uuidString: text)
    }
}

/// An event about to be written: its type (`order.created`) and its `data` as JSON bytes.
struct OutboxDraft: Sendable {
    let type: String
    let data: [UInt8]
}

/// One outbox row. `data` is JSON text; `body` is the delivery body of API.md, Webhooks.
struct OutboxEvent: Sendable, Equatable {
    let id: UUID
    let type: String
    let data: String
    let createdAt: Date

    /// `{"id", "type", "created_at" (RFC 3339, ms), "data"}`, with `data` as stored.
    var body: [UInt8] {
        var json = JSONWriter(capacity: data.utf8.count + 128)
        json.beginObject()
        json.key("id"); json.uuid(id)
        json.key("type"); json.string(type)
        json.key("created_at"); json.timestamp(createdAt)
        json.key("data"); json.raw(data)
        json.endObject()
        return json.bytes
    }
}
