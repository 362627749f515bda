import Foundation
import Glibc

/// Runs a program and waits for it without blocking a thread: tests run on Swift's small
/// cooperative pool, and `initdb` or `pg_ctl` can take seconds.
public enum Command {
    /// Runs `executable` with `arguments`; as the `postgres` user when `asPostgres` and this
    /// process is root (PostgreSQL's server programs refuse to run as root). Returns standard
    /// output; throws with standard error when the exit status is not 0.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], asPostgres: Bool = false) async throws -> String {
        let process = Process()
        if asPostgres && geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        // Files rather than pipes: nothing has to drain them while the program runs, and a
        // server started by pg_ctl cannot keep them open and hold up the end of output.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-\(UUID().uuidString)")
        let outURL = scratch.appendingPathExtension("out"), errURL = scratch.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? out.close()
        try? err.close()
        let output = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            let errors = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
            let name = ([executable] + arguments).joined(separator: " ")
            throw TestSupportError.commandFailed(command: name, status: status, output: errors + output)
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
}
