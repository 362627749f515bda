import Foundation
import StorefrontApp

/// `storefront-bench`: the same application twice in one process, for `scripts/bench chain`:
/// every middleware link on `PORT`, the bare router on `PORT + 1`. Same binary, same
/// routes, same event-loop count; the only difference is the chain. Logs go to standard
/// output as in `serve`. Runs until killed.
let environment = ProcessInfo.processInfo.environment
let configuration: AppConfiguration
do {
    configuration = try AppConfiguration.fromEnvironment(environment, cores: ProcessInfo.processInfo.activeProcessorCount)
} catch {
    FileHandle.standardError.write(Data("storefront-bench: \(error.description)\n".utf8))
    exit(2)
}
var bare = configuration
bare.port = configuration.port == 0 ? 0 : configuration.port + 1
let sink = StandardOutputSink()
let logger = Logger(sink: sink, minimumLevel: configuration.logLevel)
do {
    let full = try Application(configuration: configuration, logger: logger)
    let router = try Application(configuration: bare, logger: logger, pipeline: .bareRouter)
    // Each logs "listening" with its port.
    try full.start()
    try router.start()
    while true { try await Task.sleep(for: .seconds(3600)) }
} catch {
    FileHandle.standardError.write(Data("storefront-bench: \(error)\n".utf8))
    exit(1)
}
