/// Writes the Prometheus text exposition format, version 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): per family one `# HELP`
/// and one `# TYPE` line, then its samples, every line ending in `\n`.
struct PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private(set) var text = ""

    init() { text.reserveCapacity(16_384) }

    /// `help` is a constant of this program, without backslashes or line feeds (which
    /// would need escaping).
    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ value: Double, labels: [(String, String)] = []) {
        sample(name, formatted: PrometheusText.format(value), labels)
    }

    mutating func sample(_ name: String, _ value: UInt64, labels: [(String, String)] = []) {
        sample(name, formatted: String(value), labels)
    }

    mutating func sample(_ name: String, _ value: Int, labels: [(String, String)] = []) {
        sample(name, formatted: String(value), labels)
    }

    private mutating func sample(_ name: String, formatted: String, _ labels: [(String, String)]) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, (label, value)) in labels.enumerated() {
                if index > 0 { text += "," }
                text += label + "=\"" + PrometheusText.escapeLabel(value) + "\""
            }
            text += "}"
        }
        text += " " + formatted + "\n"
    }

    /// Go's float syntax as Prometheus parses it; infinities and NaN by their names.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabel(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
