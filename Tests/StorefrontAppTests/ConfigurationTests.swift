import Foundation
import Testing
import HTTPServer
@testable import StorefrontApp

@Suite struct ConfigurationTests {
    @Test func defaultsFollowTheContract() throws {
        let config = try AppConfiguration.fromEnvironment([:], cores: 4)
        #expect(config.appEnv == .development)
        #expect(config.host == "0.0.0.0")
        #expect(config.port == 8080)
        #expect(config.eventLoops == 4)
        #expect(config.dbPoolSize == 10)
        #expect(config.dbPoolTimeoutMs == 2000)
        #expect(config.dbStatementTimeoutMs == 5000)
        #expect(config.maxBodyBytes == 1_048_576)
        #expect(config.headerTimeoutMs == 10_000)
        #expect(config.idleTimeoutMs == 60_000)
        #expect(config.shutdownGraceSeconds == 20)
        #expect(config.accessTokenTTL == 900)
        #expect(config.refreshTokenTTL == 2_592_000)
        #expect(config.rateLimitAnonPerMinute == 120)
        #expect(config.rateLimitUserPerMinute == 600)
        #expect(config.rateLimitAuthPerMinute == 10)
        #expect(config.jwtIssuer == "storefront")
        #expect(config.jwtAudience == "storefront-api")
        #expect(config.apiKeyRotationGraceSeconds == 3600)
        #expect(config.workersEnabled)
        #expect(config.workerConcurrency == 8)
        #expect(config.jwtSecretWasGenerated)
        #expect(config.jwtSecret.value.utf8.count >= 32)
    }

    @Test(arguments: [
        ("PORT", "abc", "PORT must be an integer, got 'abc'"),
        ("PORT", "70000", "PORT must be between 0 and 65535, got 70000"),
        ("EVENT_LOOPS", "0", "EVENT_LOOPS must be between 1 and 256, got 0"),
        ("WORKERS_ENABLED", "yes please", "WORKERS_ENABLED must be true or false, got 'yes please'"),
        ("WORKER_CONCURRENCY", "0", "WORKER_CONCURRENCY must be between 1 and 256, got 0"),
        ("WORKER_CONCURRENCY", "many", "WORKER_CONCURRENCY must be an integer, got 'many'"),
        ("WORKER_CONCURRENCY", "257", "WORKER_CONCURRENCY must be between 1 and 256, got 257"),
        ("RATE_LIMIT_ENABLED", "maybe", "RATE_LIMIT_ENABLED must be true or false, got 'maybe'"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of debug, info, warning, error, got 'loud'"),
        ("TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES '10.0.0.0/33' is not a CIDR"),
        ("JWT_SECRET", "short", "JWT_SECRET must be at least 32 bytes"),
        ("APP_ENV", "staging", "APP_ENV must be one of development, test, production, got 'staging'"),
        ("DATA_ENCRYPTION_KEY", "not base64!", ConfigurationTests.badKey),
        ("DATA_ENCRYPTION_KEY", Data(repeating: 1, count: 16).base64EncodedString(), ConfigurationTests.badKey),
        ("DATA_ENCRYPTION_KEY", Data(repeating: 1, count: 33).base64EncodedString(), ConfigurationTests.badKey),
        ("DATA_ENCRYPTION_KEY", String(Data(repeating: 1, count: 32).base64EncodedString().dropLast()), ConfigurationTests.badKey),
        ("DATA_ENCRYPTION_KEY", "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE_", ConfigurationTests.badKey),
    ])
    func badValueNamesTheVariable(variable: String, value: String, message: String) {
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment([variable: value], cores: 2) }
        do {
            _ = try AppConfiguration.fromEnvironment([variable: value], cores: 2)
        } catch {
            #expect(error.variable == variable)
            #expect(error.description == message)
        }
    }

    @Test func bodyAndWriteTimeoutsDefaultToThirtySecondsAndReachTheServer() throws {
        let defaults = try AppConfiguration.fromEnvironment([:], cores: 2)
        #expect(defaults.serverConfiguration.bodyTimeoutMs == 30_000)
        #expect(defaults.serverConfiguration.writeTimeoutMs == 30_000)
        let set = try AppConfiguration.fromEnvironment(["BODY_TIMEOUT_MS": "1500", "WRITE_TIMEOUT_MS": "2500"], cores: 2)
        #expect(set.serverConfiguration.bodyTimeoutMs == 1500)
        #expect(set.serverConfiguration.writeTimeoutMs == 2500)
        for variable in ["BODY_TIMEOUT_MS", "WRITE_TIMEOUT_MS"] {
            #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment([variable: "0"], cores: 2) }
        }
    }

    static let badKey = "DATA_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32)"

    @Test func productionRefusesToStartWithoutADataEncryptionKey() throws {
        let env = ["APP_ENV": "production", "JWT_SECRET": String(repeating: "s", count: 32), "DATABASE_URL": "host=db"]
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(env, cores: 2) }
        do {
            _ = try AppConfiguration.fromEnvironment(env, cores: 2)
        } catch {
            #expect(error.description == "DATA_ENCRYPTION_KEY is required when APP_ENV=production")
        }
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let config = try AppConfiguration.fromEnvironment(env.merging(["DATA_ENCRYPTION_KEY": key]) { $1 }, cores: 2)
        #expect(!config.dataEncryptionKey.wasGenerated)
        #expect(try AppConfiguration.fromEnvironment([:], cores: 2).dataEncryptionKey.wasGenerated)
    }

    @Test func theDataEncryptionKeyIsMaskedWhereverConfigurationIsPrinted() throws {
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let config = try AppConfiguration.fromEnvironment(["DATA_ENCRYPTION_KEY": key], cores: 2)
        var dumped = ""
        dump(config, to: &dumped)
        let keyBytes = Data(base64Encoded: key).map { Array($0) } ?? []
        for text in ["\(config.redactedSummary)", "\(config)", String(reflecting: config), dumped] {
            #expect(!text.contains(key))
            #expect(!text.contains(keyBytes.hexString))
            #expect(!text.contains("0, 1, 2, 3, 4, 5"))
        }
        #expect("\(config.redactedSummary)".contains("(set)"))
    }

    @Test func productionRefusesToStartWithoutSecretAndDatabase() {
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(["APP_ENV": "production"], cores: 2) }
        let secret = String(repeating: "s", count: 32)
        do {
            _ = try AppConfiguration.fromEnvironment(["APP_ENV": "production", "JWT_SECRET": secret], cores: 2)
            Issue.record("expected DATABASE_URL to be required")
        } catch {
            #expect(error.variable == "DATABASE_URL")
        }
    }

    @Test func secretsAreMaskedInTheSummary() throws {
        let secret = "0123456789abcdef0123456789abcdef-secret"
        let config = try AppConfiguration.fromEnvironment(
            ["JWT_SECRET": secret, "DATABASE_URL": "postgres://app:hunter2pass@db:5432/store", "METRICS_TOKEN": "m-token"],
            cores: 2)
        let summary = "\(config.redactedSummary)"
        #expect(!summary.contains(secret))
        #expect(!summary.contains("hunter2pass"))
        #expect(!summary.contains("m-token"))
        #expect(summary.contains("postgres://app:********@db:5432/store"))
        #expect("\(config.jwtSecret)" == "********")
    }

    @Test func keyValueConnectionStringsHaveTheirPasswordMasked() {
        #expect(redactURL("host=db password=hunter2 dbname=x") == "host=db password=******** dbname=x")
    }

    @Test func trustedProxyRangesMatchAddresses() throws {
        let v4 = try #require(CIDR("10.1.0.0/16"))
        #expect(v4.contains("10.1.200.3"))
        #expect(!v4.contains("10.2.0.1"))
        #expect(!v4.contains("::1"))
        let v6 = try #require(CIDR("::1"))
        #expect(v6.contains("::1"))
        #expect(CIDR("nonsense") == nil)
    }
}
