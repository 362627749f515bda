import Foundation
import HTTPClient
import Resilience

/// The `WEBHOOK_*` rows of API.md, Configuration, validated once at start-up.
public struct WebhookConfiguration: Sendable {
    /// One attempt, connect to last byte.
    public var timeoutMs: Int
    public var maxAttempts: Int
    public var retryBaseSeconds: Int
    public var retryMaxSeconds: Int
    public var breakerFailures: Int
    public var breakerOpenSeconds: Int
    public var allowHTTP: Bool
    public var allowPrivate: Bool
    public var caFile: String?
    public var retentionDays: Int
    let breakerPolicy: CircuitBreaker.Policy

    init(_ reader: EnvironmentReader) throws(ConfigurationError) {
        timeoutMs = try reader.integer("WEBHOOK_TIMEOUT_MS", default: 10_000, in: 100...600_000)
        maxAttempts = try reader.integer("WEBHOOK_MAX_ATTEMPTS", default: 10, in: 1...100)
        retryBaseSeconds = try reader.integer("WEBHOOK_RETRY_BASE_S", default: 30, in: 1...86_400)
        retryMaxSeconds = try reader.integer("WEBHOOK_RETRY_MAX_S", default: 3600, in: 1...604_800)
        guard retryMaxSeconds >= retryBaseSeconds else {
            throw ConfigurationError("WEBHOOK_RETRY_MAX_S", "must not be less than WEBHOOK_RETRY_BASE_S (\(retryBaseSeconds))")
        }
        breakerFailures = try reader.integer("WEBHOOK_BREAKER_FAILURES", default: 5, in: 1...1000)
        breakerOpenSeconds = try reader.integer("WEBHOOK_BREAKER_OPEN_S", default: 60, in: 1...86_400)
        guard let policy = CircuitBreaker.Policy(failureThreshold: breakerFailures,
                                                 openDuration: TimeInterval(breakerOpenSeconds)) else {
            throw ConfigurationError("WEBHOOK_BREAKER_FAILURES", "does not make a circuit breaker policy")
        }
        breakerPolicy = policy
        allowHTTP = try reader.boolean("WEBHOOK_ALLOW_HTTP", default: false)
        allowPrivate = try reader.boolean("WEBHOOK_ALLOW_PRIVATE", default: false)
        caFile = reader.string("WEBHOOK_CA_FILE")
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ConfigurationError("WEBHOOK_CA_FILE", "names no readable file: \(caFile)")
        }
        retentionDays = try reader.integer("WEBHOOK_RETENTION_DAYS", default: 30, in: 1...3650)
    }

    var timeout: Duration { .milliseconds(timeoutMs) }


    var clientConfiguration: HTTPClientConfiguration {
        HTTPClientConfiguration(addressPolicy: AddressPolicy(allowPrivate: allowPrivate), caFile: caFile)
    }
}
