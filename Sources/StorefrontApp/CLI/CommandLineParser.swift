/// A parsed `storefront` invocation. Parsing is pure so every bad argument is testable.
public enum Command: Equatable, Sendable {
    case help(topic: String?)
    case serve(migrate: Bool)
    case migrateUp(to: Int?)
    case migrateDown(steps: Int)
    case migrateStatus
    case migrateCreate(name: String)
    case createAdmin(email: String, name: String?)
    case seed
    case worker
}

/// A bad invocation: printed as one line, exit code 2.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum CommandLineParser {
    public static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        guard let first = arguments.first else { return .help(topic: nil) }
        var rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") { return .help(topic: first) }
        switch first {
        case "--help", "-h", "help":
            return .help(topic: rest.first)
        case "serve":
            let migrate = rest.contains("--migrate")
            rest.removeAll { $0 == "--migrate" }
            try expectNoMore(rest, after: "serve")
            return .serve(migrate: migrate)
        case "migrate":
            return try parseMigrate(rest)
        case "create-admin":
            var options = try Options(rest, allowed: ["--email", "--name"], command: "create-admin")
            guard let email = options.take("--email") else { throw UsageError("create-admin: --email is required") }
            return .createAdmin(email: email, name: options.take("--name"))
        case "seed":
            try expectNoMore(rest, after: "seed")
            return .seed
        case "worker":
            try expectNoMore(rest, after: "worker")
            return .worker
        default:
            throw UsageError("unknown command '\(first)' (try 'storefront --help')")
        }
    }

    private static func parseMigrate(_ arguments: [String]) throws(UsageError) -> Command {
        guard let action = arguments.first else { throw UsageError("migrate: expected up, down, status or create") }
        let rest = Array(arguments.dropFirst())
        switch action {
        case "up":
            var options = try Options(rest, allowed: ["--to"], command: "migrate up")
            return .migrateUp(to: try options.takeInteger("--to", minimum: 0))
        case "down":
            var options = try Options(rest, allowed: ["--steps"], command: "migrate down")
            return .migrateDown(steps: try options.takeInteger("--steps", minimum: 1) ?? 1)
        case "status":
            try expectNoMore(rest, after: "migrate status")
            return .migrateStatus
        case "create":
            guard rest.count == 1, let name = rest.first else { throw UsageError("migrate create: expected one NAME") }
            guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }) else {
                throw UsageError("migrate create: NAME may use only a-z, 0-9 and _")
            }
            return .migrateCreate(name: name)
        default:
            throw UsageError("migrate: unknown action '\(action)' (expected up, down, status or create)")
        }
    }

    private static func expectNoMore(_ rest: [String], after command: String) throws(UsageError) {
        if let extra = rest.first { throw UsageError("\(command): unexpected argument '\(extra)'") }
    }

    /// `--flag value` pairs, each flag at most once.
    private struct Options {
        var values: [String: String] = [:]
        let command: String

        init(_ arguments: [String], allowed: Set<String>, command: String) throws(UsageError) {
            self.command = command
            var index = 0
            while index < arguments.count {
                let flag = arguments[index]
                guard allowed.contains(flag) else { throw UsageError("\(command): unknown option '\(flag)'") }
                guard index + 1 < arguments.count else { throw UsageError("\(command): \(flag) needs a value") }
                guard values[flag] == nil else { throw UsageError("\(command): \(flag) given twice") }
                values[flag] = arguments[index + 1]
                index += 2
            }
        }

        mutating func take(_ flag: String) -> String? { values.removeValue(forKey: flag) }

        mutating func takeInteger(_ flag: String, minimum: Int) throws(UsageError) -> Int? {
            guard let text = take(flag) else { return nil }
            guard let number = Int(text), number >= minimum else {
                throw UsageError("\(command): \(flag) must be an integer >= \(minimum), got '\(text)'")
            }
            return number
        }
    }
}
