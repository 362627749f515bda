import Foundation
import StorefrontApp

/// The `storefront` executable: parse the command, run it, map failures to exit codes
/// (2 for bad arguments or configuration, 1 for anything that failed while running).
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("storefront: \(message)\n".utf8))
    exit(code)
}

let command: Command
do {
    command = try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail(error.message, code: 2)
}

let environment = ProcessInfo.processInfo.environment
func loadConfiguration() -> AppConfiguration {
    do {
        return try AppConfiguration.fromEnvironment(environment, cores: ProcessInfo.processInfo.activeProcessorCount)
    } catch {
        fail(error.description, code: 2)
    }
}

switch command {
case .help(let topic):
    print(HelpText.text(for: topic))
case .serve(let migrate):
    var configuration = loadConfiguration()
    if migrate { configuration.migrateOnStart = true }
    let sink = StandardOutputSink()
    do {
        try await ServeCommand.run(configuration: configuration, sink: sink)
    } catch {
        Logger(sink: sink, minimumLevel: .info).error("server failed", ["error": .string(String(describing: error))])
        sink.flush()
        exit(1)
    }
case .worker:
    let sink = StandardOutputSink()
    do {
        try await WorkerCommand.run(configuration: loadConfiguration(), sink: sink)
    } catch {
        Logger(sink: sink, minimumLevel: .info).error("worker failed", ["error": .string(String(describing: error))])
        sink.flush()
        exit(1)
    }
case .migrateUp, .migrateDown, .migrateStatus, .migrateCreate:
    do {
        try await MigrateCommand.run(command, configuration: loadConfiguration())
    } catch {
        fail("migrate: \(error)", code: 1)
    }
case .seed:
    do {
        for line in try await SeedCommand.run(configuration: loadConfiguration()) { print(line) }
    } catch let error as UsageError {
        fail(error.message, code: 2)
    } catch {
        fail("seed: \(error)", code: 1)
    }
case .createAdmin(let email, let name):
    do {
        let password = try readAdminPassword(environment: environment) { readLine(strippingNewline: true) }
        let outcome = try await runCreateAdmin(email: email, name: name, password: password,
                                               configuration: loadConfiguration())
        print(outcome.message)
    } catch let error as CreateAdminError {
        fail(error.description, code: 2)
    } catch {
        // libpq's messages span lines; the contract is one line.
        fail("create-admin: " + "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " "), code: 1)
    }
}
