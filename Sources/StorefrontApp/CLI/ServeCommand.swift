import Dispatch
import Foundation

/// `storefront serve`: build the application, serve until SIGTERM or SIGINT, drain, exit 0.
public enum ServeCommand {
    public static func run(configuration: AppConfiguration, sink: StandardOutputSink) async throws {
        let logger = Logger(sink: sink, minimumLevel: configuration.logLevel)
        let application = try build(configuration: configuration, logger: logger)
        if configuration.migrateOnStart {
            let applied = try await configuration.migrator(pool: application.database).up()
            logger.info("migrations applied", ["count": .int(applied.count)])
        }
        await sealLegacySecrets(application, logger: logger)
        try application.start()
        let signal = await waitForTerminationSignal()
        logger.info("signal received", ["signal": .string(signal)])
        await application.shutdown()
        sink.flush()
    }

    /// The application, after the start-up lines every long-running command logs.
    static func build(configuration: AppConfiguration, logger: Logger) throws -> Application {
        logger.info("starting", configuration.redactedSummary.merging(["version": .string(StorefrontVersion.current)]) { a, _ in a })
        if configuration.jwtSecretWasGenerated {
            logger.warning("JWT_SECRET is not set: using a random per-process secret; tokens die with the process")
        }
        if configuration.dataEncryptionKey.wasGenerated {
            logger.warning("DATA_ENCRYPTION_KEY is not set: using a random per-process key; TOTP secrets sealed now do not open after a restart")
        }
        return try Application(configuration: configuration, logger: logger)
    }

    /// The one-time pass of migration 0010. Not fatal: the server still starts while the
    /// database is down or 0010 is pending, and each secret is sealed at its next use anyway.
    static func sealLegacySecrets(_ application: Application, logger: Logger) async {
        do {
            let sealed = try await application.sealLegacySecrets()
            if sealed > 0 { logger.info("legacy TOTP secrets sealed", ["count": .int(sealed)]) }
        } catch {
            logger.warning("legacy TOTP secrets not sealed at start-up", ["error": .string(String(describing: error))])
        }
    }

    /// Suspends until SIGTERM or SIGINT arrives; returns its name.
    static func waitForTerminationSignal() async -> String {
        await withCheckedContinuation { continuation in
            let fired = SignalOnce(continuation)
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { fired.resume(name) }
                source.resume()
                fired.keep(source)
            }
        }
    }
}

/// Resumes the waiting continuation for the first signal only, and keeps the sources alive.
/// `@unchecked Sendable`: both mutable fields are read and written only with `lock` held,
/// and the continuation is resumed outside it, at most once.
private final class SignalOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<String, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) {
        lock.lock(); sources.append(source); lock.unlock()
    }

    func resume(_ name: String) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: name)
    }
}
