import Testing
@testable import StorefrontApp

@Suite struct CommandLineTests {
    @Test(arguments: [
        (["serve"], Command.serve(migrate: false)),
        (["serve", "--migrate"], Command.serve(migrate: true)),
        (["migrate", "up"], Command.migrateUp(to: nil)),
        (["migrate", "up", "--to", "3"], Command.migrateUp(to: 3)),
        (["migrate", "down"], Command.migrateDown(steps: 1)),
        (["migrate", "down", "--steps", "2"], Command.migrateDown(steps: 2)),
        (["migrate", "status"], Command.migrateStatus),
        (["migrate", "create", "add_users"], Command.migrateCreate(name: "add_users")),
        (["create-admin", "--email", "a@b.c"], Command.createAdmin(email: "a@b.c", name: nil)),
        (["create-admin", "--email", "a@b.c", "--name", "Ann"], Command.createAdmin(email: "a@b.c", name: "Ann")),
        (["seed"], Command.seed),
        (["worker"], Command.worker),
        (["worker", "--help"], Command.help(topic: "worker")),
        ([], Command.help(topic: nil)),
        (["--help"], Command.help(topic: nil)),
        (["migrate", "--help"], Command.help(topic: "migrate")),
        (["serve", "-h"], Command.help(topic: "serve")),
    ])
    func validInvocationsParse(arguments: [String], expected: Command) throws {
        #expect(try CommandLineParser.parse(arguments) == expected)
    }

    @Test(arguments: [
        (["frobnicate"], "unknown command 'frobnicate' (try 'storefront --help')"),
        (["serve", "--port"], "serve: unexpected argument '--port'"),
        (["worker", "--concurrency", "4"], "worker: unexpected argument '--concurrency'"),
        (["worker", "extra"], "worker: unexpected argument 'extra'"),
        (["migrate"], "migrate: expected up, down, status or create"),
        (["migrate", "sideways"], "migrate: unknown action 'sideways' (expected up, down, status or create)"),
        (["migrate", "up", "--to"], "migrate up: --to needs a value"),
        (["migrate", "up", "--to", "x"], "migrate up: --to must be an integer >= 0, got 'x'"),
        (["migrate", "down", "--steps", "0"], "migrate down: --steps must be an integer >= 1, got '0'"),
        (["migrate", "create"], "migrate create: expected one NAME"),
        (["migrate", "create", "Bad-Name"], "migrate create: NAME may use only a-z, 0-9 and _"),
        (["create-admin"], "create-admin: --email is required"),
        (["create-admin", "--email", "a@b.c", "--password", "x"], "create-admin: unknown option '--password'"),
        (["create-admin", "--email", "a", "--email", "b"], "create-admin: --email given twice"),
    ])
    func badInvocationsGiveOneLineErrors(arguments: [String], message: String) {
        do {
            _ = try CommandLineParser.parse(arguments)
            Issue.record("expected a usage error for \(arguments)")
        } catch {
            #expect(error.message == message)
            #expect(!error.message.contains("\n"))
        }
    }

    @Test(arguments: [nil, "serve", "migrate", "create-admin", "seed", "worker"])
    func everyCommandHasHelp(topic: String?) {
        #expect(HelpText.text(for: topic).hasPrefix("usage: storefront"))
    }
}
