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
        let child = try ChildProcess([Self.binary, "frobnicate"])
        #expect(await child.exitStatus() == 2)
        #expect(child.standardError == "storefront: unknown command 'frobnicate' (try 'storefront --help')\n")
    }

    @Test func badConfigurationStopsStartUpNamingTheVariable() async throws {
        let child = try ChildProcess([Self.binary, "serve"], environment: ["PORT": "eighty"])
        #expect(await child.exitStatus() == 2)
        #expect(child.standardError == "storefront: PORT must be an integer, got 'eighty'\n")
        #expect(child.standardOutput.isEmpty)
    }

    @Test func aBadDataEncryptionKeyStopsStartUpWithOneLineThatDoesNotEchoIt() async throws {
        let child = try ChildProcess([Self.binary, "serve"], environment: ["DATA_ENCRYPTION_KEY": "c2hvcnQta2V5"])
        #expect(await child.exitStatus() == 2)
        #expect(child.standardError == "storefront: DATA_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32)\n")
        #expect(child.standardOutput.isEmpty)
    }

    @Test func workerHelpExitsZeroAndBadWorkerArgumentsExitWith2() async throws {
        let help = try ChildProcess([Self.binary, "worker", "--help"])
        #expect(await help.exitStatus() == 0)
        #expect(help.standardOutput.hasPrefix("usage: storefront worker"))
        let bad = try ChildProcess([Self.binary, "worker", "--listen"])
        #expect(await bad.exitStatus() == 2)
        #expect(bad.standardError == "storefront: worker: unexpected argument '--listen'\n")
        let badConfig = try ChildProcess([Self.binary, "worker"], environment: ["WORKER_CONCURRENCY": "0"])
        #expect(await badConfig.exitStatus() == 2)
        #expect(badConfig.standardError == "storefront: WORKER_CONCURRENCY must be between 1 and 256, got 0\n")
    }

    @Test func helpExitsZero() async throws {
        let child = try ChildProcess([Self.binary, "migrate", "--help"])
        #expect(await child.exitStatus() == 0)
        #expect(child.standardOutput.hasPrefix("usage: storefront migrate"))
    }

    @Test func sigtermDrainsAndExitsZeroWithOnlyJSONOnStandardOutput() async throws {
        let child = try ChildProcess([Self.binary, "serve"], environment: [
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
