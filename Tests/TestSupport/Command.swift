import Foundation
import Glibc

/// Runs a program to completion (see `ChildProcess` for why not `Foundation.Process`).
public enum Command {
    /// Runs `executable` with `arguments`; as the `postgres` user when `asPostgres` and this
    /// process is root (PostgreSQL's server programs refuse to run as root). Returns standard
    /// output; throws with standard error when the exit status is not 0.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) async throws -> String {
        let command = asPostgres && geteuid() == 0
            ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments
            : [executable] + arguments
        let child = try ChildProcess(command)
        let status = await child.exitStatus()
        guard status == 0 else {
            throw TestSupportError.commandFailed(command: command.joined(separator: " "), status: status,
                                                 output: child.standardError + child.standardOutput)
        }
        return child.standardOutput
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
}
