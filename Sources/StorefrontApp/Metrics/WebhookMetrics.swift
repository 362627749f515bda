import Foundation
import Locking
import Resilience

/// How long delivery attempts took (connect to last byte), by outcome: two series only,
/// whatever the number of endpoints. Attempts are few next to requests, so a lock is fine.
final class WebhookLatency: Sendable {
    /// Seconds; the top buckets cover WEBHOOK_TIMEOUT_MS's default of 10 s and beyond.
    static let bucketBounds: [Double] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    static let outcomes = ["succeeded", "failed"]

    struct Series: Sendable {
        var buckets = [UInt64](repeating: 0, count: WebhookLatency.bucketBounds.count + 1)
        var sumSeconds: Double = 0
        var count: UInt64 { buckets.reduce(0, +) }
    }

    private let series = Locked([Series](repeating: Series(), count: WebhookLatency.outcomes.count))

    func observe(seconds: Double, succeeded: Bool) {
        let bucket = WebhookLatency.bucketBounds.firstIndex { seconds <= $0 } ?? WebhookLatency.bucketBounds.count
        series.withLock { all in
            let index = succeeded ? 0 : 1
            all[index].buckets[bucket] += 1
            all[index].sumSeconds += seconds
        }
    }

    func snapshot() -> [Series] { series.withLock { $0 } }
}

/// One endpoint's circuit as `/metrics` shows it.
struct EndpointCircuit: Sendable {
    let endpointID: UUID
    let phase: CircuitBreaker.Phase
}

extension MetricsController {
    /// Delivery latency, and each endpoint's circuit as a state set (1 for its state, 0 for
    /// the others), read from the database at scrape time: the state every instance shares.
    func writeWebhooks(_ out: inout PrometheusText, circuits: [EndpointCircuit]?) {
        let name = "storefront_webhook_attempt_duration_seconds"
        out.family(name, "histogram", "Webhook delivery attempts by this process, connect to last byte, by outcome.")
        for (index, series) in webhookLatency.snapshot().enumerated() {
            let outcome = [("outcome", WebhookLatency.outcomes[index])]
            var cumulative: UInt64 = 0
            for (bucket, bound) in WebhookLatency.bucketBounds.enumerated() {
                cumulative += series.buckets[bucket]
                out.sample(name + "_bucket", cumulative, labels: outcome + [("le", PrometheusText.format(bound))])
            }
            out.sample(name + "_bucket", series.count, labels: outcome + [("le", "+Inf")])
            out.sample(name + "_sum", series.sumSeconds, labels: outcome)
            out.sample(name + "_count", series.count, labels: outcome)
        }
        guard let circuits else { return }
        out.family("storefront_webhook_circuit_state", "gauge",
                   "Each webhook endpoint's circuit breaker: 1 for its current state, 0 for the others.")
        for circuit in circuits {
            for phase in CircuitBreaker.Phase.allCases {
                out.sample("storefront_webhook_circuit_state", phase == circuit.phase ? 1 : 0,
                           labels: [("endpoint", circuit.endpointID.uuidString.lowercased()), ("state", phase.rawValue)])
            }
        }
    }
}
