import Foundation

/// Reads typed fields from a JSON object body and collects *every* problem, so one 422
/// lists all bad fields (API.md, Errors). Unknown fields are ignored.
public struct FieldReader {
    public let object: JSONObject
    public private(set) var issues: [FieldIssue] = []

    public init(object: JSONObject) { self.object = object }

    /// Parses a request body: malformed JSON is 400; valid JSON that is not an object is 422.
    public static func body(_ request: Request, limits: JSONLimits = JSONLimits()) throws(AppError) -> FieldReader {
        guard !request.body.isEmpty else {
            throw AppError.validation([FieldIssue(field: "body", issue: "is required")])
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body, limits: limits)
        } catch {
            throw AppError.badRequest("Malformed JSON: \(error.description)")
        }
        guard case .object(let object) = value else {
            throw AppError.validation([FieldIssue(field: "body", issue: "must be a JSON object, got \(value.typeName)")])
        }
        return FieldReader(object: object)
    }

    public mutating func addIssue(_ field: String, _ issue: String) {
        issues.append(FieldIssue(field: field, issue: issue))
    }

    /// Throws one 422 listing every issue found so far.
    public func finish() throws(AppError) {
        if !issues.isEmpty { throw AppError.validation(issues) }
    }

    /// The field's value, or nil after recording "is required" / nothing when optional.
    /// An explicit `null` counts as absent.
    private mutating func raw(_ name: String, required: Bool) -> JSONValue? {
        guard let value = object[name], value != .null else {
            if required { addIssue(name, "is required") }
            return nil
        }
        return value
    }

    public mutating func string(_ name: String, required: Bool = true, _ rules: StringRule...) -> String? {
        guard let value = raw(name, required: required) else { return nil }
        guard case .string(let text) = value else {
            addIssue(name, "must be a string, got \(value.typeName)")
            return nil
        }
        for rule in [StringRule.storable] + rules {
            if let problem = rule.check(text) {
                addIssue(name, problem)
                return nil
            }
        }
        return text
    }

    public mutating func integer(_ name: String, required: Bool = true, in range: ClosedRange<Int>) -> Int? {
        guard let value = raw(name, required: required) else { return nil }
        guard case .number(let text) = value, let number = Int(text) else {
            addIssue(name, value.typeName == "number" ? "must be an integer" : "must be an integer, got \(value.typeName)")
            return nil
        }
        guard range.contains(number) else {
            addIssue(name, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }

    public mutating func boolean(_ name: String, required: Bool = true) -> Bool? {
        guard let value = raw(name, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            addIssue(name, "must be a boolean, got \(value.typeName)")
            return nil
        }
        return flag
    }

    /// A timestamp in RFC 3339 form.
    public mutating func timestamp(_ name: String, required: Bool = true) -> Date? {
        guard let text = string(name, required: required) else { return nil }
        guard let date = RFC3339.parse(text) else {
            addIssue(name, "must be an RFC 3339 timestamp")
            return nil
        }
        return date
    }

    /// An array of strings, each checked against `rules`, at most `maxCount` long, no repeats.
    public mutating func stringArray(_ name: String, required: Bool = true, maxCount: Int,
                                     _ rules: StringRule...) -> [String]? {
        guard let value = raw(name, required: required) else { return nil }
        guard case .array(let elements) = value else {
            addIssue(name, "must be an array, got \(value.typeName)")
            return nil
        }
        guard elements.count <= maxCount else {
            addIssue(name, "must have at most \(maxCount) items")
            return nil
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                addIssue("\(name)[\(index)]", "must be a string, got \(element.typeName)")
                return nil
            }
            if let problem = ([StringRule.storable] + rules).lazy.compactMap({ $0.check(text) }).first {
                addIssue("\(name)[\(index)]", problem)
                return nil
            }
            guard !result.contains(text) else {
                addIssue("\(name)[\(index)]", "is repeated")
                return nil
            }
            result.append(text)
        }
        return result
    }
}

/// RFC 3339 timestamps in and out.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
