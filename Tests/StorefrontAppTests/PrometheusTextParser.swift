/// A strict reader of the Prometheus text format 0.0.4, for tests: it throws on anything
/// the format does not allow, rather than guessing, so a test that parses a scrape proves
/// the scrape is well formed.
struct PrometheusScrape {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct Family {
        let name: String
        let type: String
        let help: String
        var samples: [Sample] = []
    }

    struct Malformed: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    private(set) var families: [String: Family] = [:]
    private(set) var order: [String] = []

    init(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw Malformed(line: 0, reason: "does not end in a line feed") }
        var pendingHelp: (name: String, help: String)?
        var current: String?
        for (number, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fail = { (reason: String) in Malformed(line: number + 1, reason: reason) }
            if line.isEmpty { throw fail("empty line") }
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                guard PrometheusScrape.isMetricName(name), rest.count > name.count + 1 else { throw fail("bad HELP") }
                guard families[name] == nil else { throw fail("second HELP for \(name)") }
                pendingHelp = (name, String(rest.dropFirst(name.count + 1)))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, PrometheusScrape.isMetricName(String(parts[0])),
                      ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[1])) else {
                    throw fail("bad TYPE")
                }
                let name = String(parts[0])
                guard families[name] == nil else { throw fail("second TYPE for \(name)") }
                guard let help = pendingHelp, help.name == name else { throw fail("TYPE without its HELP") }
                families[name] = Family(name: name, type: String(parts[1]), help: help.help)
                order.append(name)
                pendingHelp = nil
                current = name
            } else if line.hasPrefix("#") {
                throw fail("unexpected comment")
            } else {
                let sample = try PrometheusScrape.sample(line, fail: fail)
                guard let family = current, PrometheusScrape.belongs(sample.name, to: family, type: families[family]?.type)
                else { throw fail("sample \(sample.name) outside its family") }
                families[family]?.samples.append(sample)
            }
        }
        for family in families.values where family.type == "histogram" {
            try PrometheusScrape.checkHistogram(family)
        }
    }

    /// The value of the one sample with exactly these labels, nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.values.lazy.flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    private static func belongs(_ sample: String, to family: String, type: String?) -> Bool {
        if sample == family { return type != "histogram" }
        guard type == "histogram" else { return false }
        return [family + "_bucket", family + "_sum", family + "_count"].contains(sample)
    }

    /// `name{label="value",...} value`: no timestamps (this server sends none).
    private static func sample(_ line: Substring, fail: (String) -> Malformed) throws -> Sample {
        let name = String(line.prefix { $0 != "{" && $0 != " " })
        guard isMetricName(name) else { throw fail("bad metric name '\(name)'") }
        var rest = line.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0 != "=" })
                guard isLabelName(label), labels[label] == nil else { throw fail("bad or repeated label '\(label)'") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw fail("label without quoted value") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.first else { throw fail("unterminated label value") }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        guard let escaped = rest.first else { throw fail("dangling escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("bad escape \\\(escaped)")
                        }
                    } else {
                        value.append(character)
                    }
                }
                labels[label] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("bad label list") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("no space before the value") }
        let text = String(rest.dropFirst())
        guard let value = parseValue(text) else { throw fail("bad value '\(text)'") }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default:
            guard !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.isASCIIDigit || "+-.eE".unicodeScalars.contains($0) })
            else { return nil }
            return Double(text)
        }
    }

    /// Per label set: `le` ascending, counts cumulative, a `+Inf` bucket equal to `_count`,
    /// and a `_sum`.
    private static func checkHistogram(_ family: Family) throws {
        var groups: [[String: String]: [Sample]] = [:]
        for sample in family.samples {
            var key = sample.labels
            key["le"] = nil
            groups[key, default: []].append(sample)
        }
        for (labels, samples) in groups {
            let fail = { (reason: String) in Malformed(line: 0, reason: "\(family.name) \(labels): \(reason)") }
            let buckets = samples.filter { $0.name == family.name + "_bucket" }
            guard let count = samples.first(where: { $0.name == family.name + "_count" })?.value,
                  samples.contains(where: { $0.name == family.name + "_sum" }) else { throw fail("no _count or _sum") }
            var previousBound = -Double.infinity, previousCount = 0.0
            for bucket in buckets {
                guard let boundText = bucket.labels["le"], let bound = parseValue(boundText), bound > previousBound else {
                    throw fail("le missing or not ascending")
                }
                guard bucket.value >= previousCount else { throw fail("buckets not cumulative at le=\(boundText)") }
                previousBound = bound
                previousCount = bucket.value
            }
            guard previousBound == .infinity, previousCount == count else { throw fail("+Inf bucket missing or != _count") }
        }
    }
}

private extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
