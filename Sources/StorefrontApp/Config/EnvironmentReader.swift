/// Typed access to environment variables; every failure names the variable.
struct EnvironmentReader {
    private let env: [String: String]
    init(_ env: [String: String]) { self.env = env }

    /// The value, or nil when unset or empty (an empty variable means "use the default").
    func string(_ name: String) -> String? {
        guard let value = env[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = string(name) else { return value }
        guard let number = Int(text) else { throw ConfigurationError(name, "must be an integer, got '\(text)'") }
        guard range.contains(number) else {
            throw ConfigurationError(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    func boolean(_ name: String, default value: Bool) throws(ConfigurationError) -> Bool {
        guard let text = string(name)?.lowercased() else { return value }
        switch text {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(name, "must be true or false, got '\(text)'")
        }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, default value: E) throws(ConfigurationError) -> E
    where E.RawValue == String {
        guard let text = string(name) else { return value }
        guard let parsed = E(rawValue: text.lowercased()) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(name, "must be one of \(allowed), got '\(text)'")
        }
        return parsed
    }

    func list(_ name: String) -> [String] {
        guard let text = string(name) else { return [] }
        return text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
