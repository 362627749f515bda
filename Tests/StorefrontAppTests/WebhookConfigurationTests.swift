import Foundation
import Testing
@testable import StorefrontApp

/// The WEBHOOK_* rows of API.md, Configuration: defaults, and one line naming the variable
/// for every bad value.
@Suite struct WebhookConfigurationTests {
    @Test func defaultsFollowTheContract() throws {
        let webhooks = try AppConfiguration.fromEnvironment([:], cores: 2).webhooks
        #expect(webhooks.timeoutMs == 10_000)
        #expect(webhooks.maxAttempts == 10 && webhooks.retryBaseSeconds == 30 && webhooks.retryMaxSeconds == 3600)
        #expect(webhooks.breakerFailures == 5 && webhooks.breakerOpenSeconds == 60)
        #expect(!webhooks.allowHTTP && !webhooks.allowPrivate)
        #expect(webhooks.caFile == nil)
        #expect(webhooks.retentionDays == 30)
        #expect(!webhooks.clientConfiguration.addressPolicy.allowPrivate)
    }

    @Test(arguments: [
        ("WEBHOOK_TIMEOUT_MS", "fast", "WEBHOOK_TIMEOUT_MS must be an integer, got 'fast'"),
        ("WEBHOOK_TIMEOUT_MS", "0", "WEBHOOK_TIMEOUT_MS must be between 100 and 600000, got 0"),
        ("WEBHOOK_MAX_ATTEMPTS", "0", "WEBHOOK_MAX_ATTEMPTS must be between 1 and 100, got 0"),
        ("WEBHOOK_RETRY_BASE_S", "-1", "WEBHOOK_RETRY_BASE_S must be between 1 and 86400, got -1"),
        ("WEBHOOK_RETRY_MAX_S", "10", "WEBHOOK_RETRY_MAX_S must not be less than WEBHOOK_RETRY_BASE_S (30)"),
        ("WEBHOOK_BREAKER_FAILURES", "0", "WEBHOOK_BREAKER_FAILURES must be between 1 and 1000, got 0"),
        ("WEBHOOK_BREAKER_OPEN_S", "1e3", "WEBHOOK_BREAKER_OPEN_S must be an integer, got '1e3'"),
        ("WEBHOOK_ALLOW_HTTP", "maybe", "WEBHOOK_ALLOW_HTTP must be true or false, got 'maybe'"),
        ("WEBHOOK_ALLOW_PRIVATE", "2", "WEBHOOK_ALLOW_PRIVATE must be true or false, got '2'"),
        ("WEBHOOK_CA_FILE", "/nonexistent/ca.pem", "WEBHOOK_CA_FILE names no readable file: /nonexistent/ca.pem"),
        ("WEBHOOK_RETENTION_DAYS", "0", "WEBHOOK_RETENTION_DAYS must be between 1 and 3650, got 0"),
    ])
    func aBadValueIsOneLineNamingTheVariable(variable: String, value: String, message: String) {
        do {
            _ = try AppConfiguration.fromEnvironment([variable: value], cores: 2)
            Issue.record("\(variable)=\(value) accepted")
        } catch {
            #expect(error.description == message)
            #expect(!error.description.contains("\n"))
        }
    }
}
