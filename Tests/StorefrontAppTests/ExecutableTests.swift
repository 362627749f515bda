import Foundation
import Testing
import TestSupport

/// The `storefront` binary itself: exit codes, the start-up refusal of bad configuration,
/// and SIGTERM draining to exit code 0 with nothing but JSON on standard output.
@Suite struct ExecutableTests {
    /// `swift build --build-tests` puts the executable beside the test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("storefront").path

    @Test func badArgumentsExitWith2AndOneLine() async throws {
        let child = try ChildProcess(Self.binary, ["frobnicate"])
        #expect(await child.exitStatus() == 2)
        #expect(child.standardError == "storefront: unknown command 'frobnicate' (try 'storefront --help')\n")
    }

    @Test func badConfigurationStopsStartUpNamingTheVariable() async throws {
        let child = try ChildProcess(Self.binary, ["serve"], environment: ["PORT": "eighty"])
        #expect(await child.exitStatus() == 2)
        #expect(child.standardError == "storefront: PORT must be an integer, got 'eighty'\n")
        #expect(child.standardOutput.isEmpty)
    }

    @Test func helpExitsZero() async throws {
        let child = try ChildProcess(Self.binary, ["migrate", "--help"])
        #expect(await child.exitStatus() == 0)
        #expect(child.standardOutput.hasPrefix("usage: storefront migrate"))
    }

    @Test func sigtermDrainsAndExitsZeroWithOnlyJSONOnStandardOutput() async throws {
        let child = try ChildProcess(Self.binary, ["serve"], environment: [
            "HOST": "127.0.0.1", "PORT": "0", "SHUTDOWN_GRACE_S": "5",
            // The server starts while the database is unreachable; /ready says so.
            "DATABASE_URL": "host=127.0.0.1 port=1 dbname=none",
        ])
        let listening = await eventually(within: .seconds(20)) { child.standardOutput.contains("\"msg\":\"listening\"") }
        #expect(listening)
        kill(child.pid, SIGTERM)
        #expect(await child.exitStatus() == 0)
        let lines = child.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"msg\":\"stopped\"") })
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
    }
}

/// A child process with its output captured in files and its exit awaited on a thread of
/// its own (waitpid blocks, which must not happen on the cooperative pool).
final class ChildProcess: Sendable {
    let pid: pid_t
    private let outPath: String
    private let errPath: String

    init(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        outPath = base + ".out"
        errPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard result == 0 else { throw TestSupportError.commandFailed(command: path, status: result, output: "spawn failed") }
        pid = child
    }

    /// The exit code, or 128 + the signal that ended it.
    func exitStatus() async -> Int32 {
        let pid = pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
            }
        }
    }

    var standardOutput: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    deinit {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
}
