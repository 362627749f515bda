/// `storefront worker`: the background workers alone, for deployments that scale them apart
/// from the API (API.md, Command line). No listener; SIGTERM or SIGINT drains and exits 0.
public enum WorkerCommand {
    public static func run(configuration: AppConfiguration, sink: StandardOutputSink) async throws {
        let logger = Logger(sink: sink, minimumLevel: configuration.logLevel)
        let application = try ServeCommand.build(configuration: configuration, logger: logger)
        if configuration.migrateOnStart {
            let applied = try await configuration.migrator(pool: application.database).up()
            logger.info("migrations applied", ["count": .int(applied.count)])
        }
        application.startWorkers()
        let signal = await ServeCommand.waitForTerminationSignal()
        logger.info("signal received", ["signal": .string(signal)])
        await application.shutdown()
        sink.flush()
    }
}
