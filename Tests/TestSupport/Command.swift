import Foundation
import Glibc

/// Runs a program and waits for it without tying up Swift's small cooperative pool: the
/// wait happens on a thread of its own, since `initdb` or `pg_ctl` can take seconds.
///
/// Not `Foundation.Process`: on Linux it notices a child's exit through a socket the child
/// inherits, and `pg_ctl start` leaves a server running that inherits it too, so the exit of
/// `pg_ctl` is never reported.
public enum Command {
    /// Runs `executable` with `arguments`; as the `postgres` user when `asPostgres` and this
    /// process is root (PostgreSQL's server programs refuse to run as root). Returns standard
    /// output; throws with standard error when the exit status is not 0.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) async throws -> String {
        let command = asPostgres && geteuid() == 0
            ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments
            : [executable] + arguments
        let scratch = NSTemporaryDirectory() + "/cmd-\(UUID().uuidString)"
        let outPath = scratch + ".out", errPath = scratch + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let pid = try spawn(command, stdout: outPath, stderr: errPath)
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, which Swift does not import.
                continuation.resume(returning: status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F))
            }
        }
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw TestSupportError.commandFailed(command: command.joined(separator: " "), status: status,
                                                 output: errors + output)
        }
        return output
    }

    /// `pg_dump --schema-only` of a database, without the lines that differ on every run
    /// (`\restrict` keys added in PostgreSQL 15.14), so two dumps compare equal when the
    /// schemas do.
    public static func schemaDump(conninfo: String) async throws -> String {
        let dump = try await run(TestEnvironment.binDirectory + "/pg_dump", ["--schema-only", "--no-owner", conninfo])
        return dump.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }
            .joined(separator: "\n")
    }

    private static func spawn(_ command: [String], stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard result == 0 else {
            throw TestSupportError.commandFailed(command: command.joined(separator: " "), status: result,
                                                 output: String(cString: strerror(result)))
        }
        return pid
    }
}
