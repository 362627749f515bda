import Crypto

/// The whole configuration, read once at start-up from the environment with explicit
/// defaults (API.md, Configuration). Nothing else in the program reads the environment.
public struct AppConfiguration: Sendable {
    public enum Environment: String, Sendable, CaseIterable { case development, test, production }
    public enum LogFormat: String, Sendable, CaseIterable { case json }

    public var appEnv: Environment
    /// Nil means "the local development database", chosen by the run script.
    public var databaseURL: String?
    public var host: String
    public var port: Int
    public var eventLoops: Int
    public var jwtSecret: Secret
    public var jwtSecretWasGenerated: Bool
    public var jwtIssuer: String
    public var jwtAudience: String
    public var accessTokenTTL: Int
    public var refreshTokenTTL: Int
    public var dbPoolSize: Int
    public var dbPoolTimeoutMs: Int
    public var dbStatementTimeoutMs: Int
    public var rateLimitEnabled: Bool
    public var rateLimitAnonPerMinute: Int
    public var rateLimitUserPerMinute: Int
    public var rateLimitAuthPerMinute: Int
    public var rateLimitMaxBuckets: Int
    public var trustedProxies: [CIDR]
    public var corsOrigins: [String]
    public var maxBodyBytes: Int
    public var headerTimeoutMs: Int
    public var idleTimeoutMs: Int
    /// The whole request body must arrive within this long of its head (408 otherwise).
    public var bodyTimeoutMs: Int
    /// A client that reads none of its response for this long is disconnected.
    public var writeTimeoutMs: Int
    public var shutdownGraceSeconds: Int
    public var logLevel: LogLevel
    public var logFormat: LogFormat
    public var metricsToken: Secret?
    public var apiKeyRotationGraceSeconds: Int
    /// Apply pending migrations before serving (`MIGRATE_ON_START` or `serve --migrate`).
    public var migrateOnStart: Bool
    public var migrationsDirectory: String
    /// Seals secrets stored in the database (ADR 0006).
    public var dataEncryptionKey: DataEncryptionKey
    /// `serve` runs the background workers too (ADR 0008); `worker` always does.
    public var workersEnabled: Bool
    /// Jobs in flight per instance.
    public var workerConcurrency: Int
    /// Webhook delivery: timeouts, retries, circuit breaker, address policy.
    public var webhooks: WebhookConfiguration

    /// Reads and validates every variable. A bad value throws naming the variable.
    public static func fromEnvironment(_ env: [String: String], cores: Int) throws(ConfigurationError) -> AppConfiguration {
        let reader = EnvironmentReader(env)
        let appEnv = try reader.enumeration("APP_ENV", default: Environment.development)
        let secretText = reader.string("JWT_SECRET")
        let databaseURL = reader.string("DATABASE_URL")
        if appEnv == .production {
            if secretText == nil { throw ConfigurationError("JWT_SECRET", "is required when APP_ENV=production") }
            if databaseURL == nil { throw ConfigurationError("DATABASE_URL", "is required when APP_ENV=production") }
            if reader.string("DATA_ENCRYPTION_KEY") == nil {
                throw ConfigurationError("DATA_ENCRYPTION_KEY", "is required when APP_ENV=production")
            }
        }
        if let secretText, secretText.utf8.count < 32 {
            throw ConfigurationError("JWT_SECRET", "must be at least 32 bytes")
        }
        let secret: String
        if let secretText { secret = secretText } else { secret = try Secret.randomDevelopmentValue() }
        let config = AppConfiguration(
            appEnv: appEnv,
            databaseURL: databaseURL,
            host: reader.string("HOST") ?? "0.0.0.0",
            port: try reader.integer("PORT", default: 8080, in: 0...65535),
            eventLoops: try reader.integer("EVENT_LOOPS", default: cores, in: 1...256),
            jwtSecret: Secret(secret),
            jwtSecretWasGenerated: secretText == nil,
            jwtIssuer: reader.string("JWT_ISSUER") ?? "storefront",
            jwtAudience: reader.string("JWT_AUDIENCE") ?? "storefront-api",
            accessTokenTTL: try reader.integer("ACCESS_TOKEN_TTL_S", default: 900, in: 30...86_400),
            refreshTokenTTL: try reader.integer("REFRESH_TOKEN_TTL_S", default: 2_592_000, in: 60...31_536_000),
            dbPoolSize: try reader.integer("DB_POOL_SIZE", default: 2 * cores + 2, in: 1...500),
            dbPoolTimeoutMs: try reader.integer("DB_POOL_TIMEOUT_MS", default: 2000, in: 1...600_000),
            dbStatementTimeoutMs: try reader.integer("DB_STATEMENT_TIMEOUT_MS", default: 5000, in: 1...3_600_000),
            rateLimitEnabled: try reader.boolean("RATE_LIMIT_ENABLED", default: true),
            rateLimitAnonPerMinute: try reader.integer("RATE_LIMIT_ANON_PER_MIN", default: 120, in: 1...1_000_000),
            rateLimitUserPerMinute: try reader.integer("RATE_LIMIT_USER_PER_MIN", default: 600, in: 1...1_000_000),
            rateLimitAuthPerMinute: try reader.integer("RATE_LIMIT_AUTH_PER_MIN", default: 10, in: 1...1_000_000),
            rateLimitMaxBuckets: try reader.integer("RATE_LIMIT_MAX_BUCKETS", default: 100_000, in: 1000...100_000_000),
            trustedProxies: try reader.list("TRUSTED_PROXIES").map { item throws(ConfigurationError) in
                guard let cidr = CIDR(item) else { throw ConfigurationError("TRUSTED_PROXIES", "'\(item)' is not a CIDR") }
                return cidr
            },
            corsOrigins: try CORSPolicy.validate(reader.list("CORS_ORIGINS")),
            maxBodyBytes: try reader.integer("MAX_BODY_BYTES", default: 1_048_576, in: 1...1_073_741_824),
            headerTimeoutMs: try reader.integer("HEADER_TIMEOUT_MS", default: 10_000, in: 100...600_000),
            idleTimeoutMs: try reader.integer("IDLE_TIMEOUT_MS", default: 60_000, in: 100...3_600_000),
            bodyTimeoutMs: try reader.integer("BODY_TIMEOUT_MS", default: 30_000, in: 100...3_600_000),
            writeTimeoutMs: try reader.integer("WRITE_TIMEOUT_MS", default: 30_000, in: 100...3_600_000),
            shutdownGraceSeconds: try reader.integer("SHUTDOWN_GRACE_S", default: 20, in: 0...3600),
            logLevel: try reader.enumeration("LOG_LEVEL", default: LogLevel.info),
            logFormat: try reader.enumeration("LOG_FORMAT", default: LogFormat.json),
            metricsToken: reader.string("METRICS_TOKEN").map(Secret.init),
            apiKeyRotationGraceSeconds: try reader.integer("API_KEY_ROTATION_GRACE_S", default: 3600, in: 0...31_536_000),
            migrateOnStart: try reader.boolean("MIGRATE_ON_START", default: false),
            migrationsDirectory: reader.string("MIGRATIONS_DIR") ?? "migrations",
            dataEncryptionKey: try DataEncryptionKey(reader.string("DATA_ENCRYPTION_KEY")),
            workersEnabled: try reader.boolean("WORKERS_ENABLED", default: true),
            workerConcurrency: try reader.integer("WORKER_CONCURRENCY", default: 8, in: 1...256),
            webhooks: try WebhookConfiguration(reader))
        return config
    }

    var rateLimitQuotas: RateLimitQuotas {
        RateLimitQuotas(anon: rateLimitAnonPerMinute, user: rateLimitUserPerMinute, auth: rateLimitAuthPerMinute)
    }

    /// The configuration as loggable fields, secrets masked.
    public var redactedSummary: [String: LogValue] {
        [
            "app_env": .string(appEnv.rawValue), "host": .string(host), "port": .int(port),
            "event_loops": .int(eventLoops), "database_url": .string(databaseURL.map(redactURL) ?? "(local development)"),
            "jwt_secret": .string(jwtSecretWasGenerated ? "(generated)" : "(set)"),
            "db_pool_size": .int(dbPoolSize), "max_body_bytes": .int(maxBodyBytes),
            "rate_limit_enabled": .bool(rateLimitEnabled), "log_level": .string(logLevel.rawValue),
            "metrics_token": .string(metricsToken == nil ? "(none)" : "(set)"),
            "data_encryption_key": .string(dataEncryptionKey.wasGenerated ? "(generated)" : "(set)"),
            "workers_enabled": .bool(workersEnabled), "worker_concurrency": .int(workerConcurrency),
        ]
    }
}

/// A start-up configuration problem: the variable and what is wrong with it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let variable: String
    public let problem: String
    init(_ variable: String, _ problem: String) { self.variable = variable; self.problem = problem }
    public var description: String { "\(variable) \(problem)" }
}

/// A value that must never be printed: its description is always masked.
public struct Secret: Sendable, CustomStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "********" }

    /// 32 bytes from libcrypto's CSPRNG, as hex: secrets come from one random source.
    static func randomDevelopmentValue() throws(ConfigurationError) -> String {
        do {
            return try SecureRandom.bytes(32).hexString
        } catch {
            throw ConfigurationError("JWT_SECRET", "is not set and no random one could be generated")
        }
    }
}

/// Hides the password in a `postgres://user:pass@host/db` URL or a `password=` pair.
func redactURL(_ url: String) -> String {
    if let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex) {
        let credentials = url[scheme.upperBound..<at.lowerBound]
        if let colon = credentials.firstIndex(of: ":") {
            return url[..<colon] + ":********" + url[at.lowerBound...]
        }
        return url
    }
    return url.split(separator: " ").map { $0.hasPrefix("password=") ? "password=********" : String($0) }
        .joined(separator: " ")
}
