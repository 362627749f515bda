import Foundation
import Glibc

/// A child process with its output captured in files and its exit awaited on a thread of
/// its own: `waitpid` blocks, which must not happen on Swift's small cooperative pool.
///
/// Not `Foundation.Process`: on Linux it notices a child's exit through a socket the child
/// inherits, and `pg_ctl start` leaves a server running that inherits it too, so the exit of
/// `pg_ctl` is never reported.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let outPath: String
    private let errPath: String

    /// Starts `command[0]` with the rest as arguments, this process's environment plus
    /// `environment`, standard input from /dev/null.
    public init(_ command: [String], environment: [String: String] = [:]) throws {
        let base = NSTemporaryDirectory() + "/child-\(UUID().uuidString)"
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
        let argv = command.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let result = posix_spawn(&child, command[0], &actions, nil, argv, envp)
        guard result == 0 else {
            throw TestSupportError.commandFailed(command: command.joined(separator: " "), status: result,
                                                 output: String(cString: strerror(result)))
        }
        pid = child
    }

    /// The exit code, or 128 + the signal that ended it.
    public func exitStatus() async -> Int32 {
        let pid = pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, which Swift does not import.
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
            }
        }
    }

    public var standardOutput: String { ChildProcess.contents(of: outPath) }
    public var standardError: String { ChildProcess.contents(of: errPath) }

    /// The file as UTF-8, "" when it cannot be read. With `read(2)`, not
    /// `String(contentsOfFile:)`: LeakSanitizer found that leaking its read buffer (allocated
    /// in FoundationEssentials' `readBytesFromFile`) on these files.
    private static func contents(of path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    deinit {
        unlink(outPath)
        unlink(errPath)
    }
}
