import Foundation
import StorefrontApp

/// `storefront-bench`: the same application three times in one process, for
/// `scripts/bench chain`: every middleware link on `PORT`, the bare router on `PORT + 1`,
/// and every link with access lines filtered out (log level `warning`) on `PORT + 2`, which
/// separates what the access log costs from what the other links cost. Same binary, same
/// routes, same event-loop count. Logs go to standard output as in `serve`. Runs until killed.
let environment = ProcessInfo.processInfo.environment
let configuration: AppConfiguration
do {
    configuration = try AppConfiguration.fromEnvironment(environment, cores: ProcessInfo.processInfo.activeProcessorCount)
} catch {
    FileHandle.standardError.write(Data("storefront-bench: \(error.description)\n".utf8))
    exit(2)
}
func offset(_ delta: Int) -> AppConfiguration {
    var shifted = configuration
    shifted.port = configuration.port == 0 ? 0 : configuration.port + delta
    return shifted
}
let sink = StandardOutputSink()
let logger = Logger(sink: sink, minimumLevel: configuration.logLevel)
do {
    let full = try Application(configuration: configuration, logger: logger)
    let router = try Application(configuration: offset(1), logger: logger, pipeline: .bareRouter)
    let quiet = try Application(configuration: offset(2), logger: Logger(sink: sink, minimumLevel: .warning))
    // Each logs "listening" with its port (the quiet one does not: its level hides it).
    for application in [full, router, quiet] { try application.start() }
    // A synchronous main thread that sleeps, not `await`: an async main parks the thread in
    // libdispatch's `sigsuspend` loop, which Valgrind 3.19 crashes on, and `scripts/bench
    // callgrind` runs this binary under Valgrind.
    while true { sleep(3600) }
} catch {
    FileHandle.standardError.write(Data("storefront-bench: \(error)\n".utf8))
    exit(1)
}
