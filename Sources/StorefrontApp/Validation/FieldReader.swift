import Foundation

/// The one reader of request input: JSON body fields, query parameters and path
/// parameters alike. It collects *every* problem, so one 422 lists all bad fields wherever
/// they came from (API.md, Errors). Unknown fields are ignored. Endpoints do not use it
/// directly but declare a `RequestInput` struct and call `request.input(...)`.
public struct FieldReader {
    /// Where a field is read from. A query parameter is text, so it is read as a string.
    public enum Source: Sendable {
        case body, query
    }

    private enum Body {
        case unread
        case object(JSONObject)
        /// Absent, not JSON, or not an object: already recorded, fields read as absent.
        case unusable
    }

    private let request: Request
    private var body = Body.unread
    public private(set) var issues: [FieldIssue] = []
    /// Refusals that outrank field issues: a path id that names nothing (404), then a body
    /// that is not JSON at all (400), whose fields cannot be listed.
    private var pathRefusal: AppError?
    private var bodyRefusal: AppError?
    /// The query's undecodable values are reported once, when an endpoint first reads it.
    private var queryChecked = false
    /// Limits for the JSON body; the defaults are the fixed limits of the README.
    public var limits = JSONLimits()

    public init(_ request: Request) { self.request = request }

    public mutating func addIssue(_ field: String, _ issue: String) {
        issues.append(FieldIssue(field: field, issue: issue))
    }

    /// Throws the first refusal, or one 422 listing every issue found so far.
    public func finish() throws(AppError) {
        if let pathRefusal { throw pathRefusal }
        if let bodyRefusal { throw bodyRefusal }
        if !issues.isEmpty { throw AppError.validation(issues) }
    }

    /// The path parameter `name` as a UUID. One that is not a UUID names nothing: 404,
    /// never 422 or 500 (API.md, Conventions).
    public mutating func pathID(_ name: String = "id") -> UUID? {
        guard let text = request.pathParameters[name], let id = UUID(uuidString: text) else {
            if pathRefusal == nil { pathRefusal = AppError.notFound() }
            return nil
        }
        return id
    }

    /// The body parsed on first use, so endpoints that read no body never parse one.
    /// Malformed JSON is 400; valid JSON that is not an object is 422 on `body`.
    private mutating func bodyObject() -> JSONObject? {
        switch body {
        case .object(let object): return object
        case .unusable: return nil
        case .unread: break
        }
        body = .unusable
        guard !request.body.isEmpty else {
            addIssue("body", "is required")
            return nil
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body, limits: limits)
        } catch {
            bodyRefusal = AppError.badRequest("Malformed JSON: \(error.description)")
            return nil
        }
        guard case .object(let object) = value else {
            addIssue("body", "must be a JSON object, got \(value.typeName)")
            return nil
        }
        body = .object(object)
        return object
    }

    /// The field's value, or nil after recording "is required" / nothing when optional.
    /// An explicit `null` counts as absent.
    private mutating func raw(_ name: String, _ source: Source, required: Bool) -> JSONValue? {
        let value: JSONValue?
        switch source {
        case .body:
            guard let object = bodyObject() else { return nil }
            value = object[name]
        case .query:
            if !queryChecked {
                queryChecked = true
                // Dropping such a value silently would answer as if it were absent
                // (`q=%FF` listing everyone); it is not in `query`, so it reads as absent.
                for malformed in request.malformedQueryNames { addIssue(malformed, "must be percent-encoded UTF-8") }
            }
            value = request.query[name].map(JSONValue.string)
        }
        guard let value, value != .null else {
            if required { addIssue(name, "is required") }
            return nil
        }
        return value
    }

    public mutating func string(_ name: String, in source: Source = .body, required: Bool = true,
                                _ rules: StringRule...) -> String? {
        guard let value = raw(name, source, required: required) else { return nil }
        guard case .string(let text) = value else {
            addIssue(name, "must be a string, got \(value.typeName)")
            return nil
        }
        // Every string is bound to PostgreSQL, whose text cannot hold NUL.
        if let problem = ([StringRule.storable] + rules).lazy.compactMap({ $0.check(text) }).first {
            addIssue(name, problem)
            return nil
        }
        return text
    }

    public mutating func integer(_ name: String, required: Bool = true, in range: ClosedRange<Int>) -> Int? {
        guard let value = raw(name, .body, required: required) else { return nil }
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
        guard let value = raw(name, .body, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            addIssue(name, "must be a boolean, got \(value.typeName)")
            return nil
        }
        return flag
    }

    /// A value from a closed set, named by its raw text.
    public mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ name: String, in source: Source = .body, required: Bool = true, _: Value.Type = Value.self
    ) -> Value? where Value.RawValue == String {
        string(name, in: source, required: required, .oneOf(Value.allCases.map(\.rawValue))).flatMap(Value.init)
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
        guard let value = raw(name, .body, required: required) else { return nil }
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
