import HTTPCore
import Testing
@testable import StorefrontApp

@Suite struct ValidationTests {
    private func reader(_ json: String) throws(AppError) -> FieldReader {
        let head = HTTPRequestHead(method: .post, target: "/", version: .http1_1, headers: HTTPHeaders(),
                                   framing: .contentLength(json.utf8.count), keepAlive: true, expectsContinue: false)
        return try FieldReader.body(Request(http: HTTPRequest(head: head, body: Array(json.utf8))))
    }

    @Test func everyBadFieldIsListedInOneError() throws {
        var fields = try reader(#"{"email":"nope","password":"short","name":42,"extra":"ignored"}"#)
        _ = fields.string("email", .email)
        _ = fields.string("password", .length(10...128))
        _ = fields.string("name", .length(1...100))
        _ = fields.integer("age", in: 0...150)
        do {
            try fields.finish()
            Issue.record("expected a validation error")
        } catch {
            #expect(error.code == .validationError)
            #expect(error.details == [
                FieldIssue(field: "email", issue: "must be a valid email address"),
                FieldIssue(field: "password", issue: "must be at least 10 characters"),
                FieldIssue(field: "name", issue: "must be a string, got number"),
                FieldIssue(field: "age", issue: "is required"),
            ])
        }
    }

    @Test func validFieldsComeBackTyped() throws {
        var fields = try reader(#"{"s":"abc","i":7,"b":false,"list":["x","y"],"nil":null}"#)
        #expect(fields.string("s", .length(1...3)) == "abc")
        #expect(fields.integer("i", in: 0...10) == 7)
        #expect(fields.boolean("b") == false)
        #expect(fields.stringArray("list", maxCount: 5, .oneOf(["x", "y"])) == ["x", "y"])
        #expect(fields.string("nil", required: false) == nil)
        try fields.finish()
    }

    @Test func malformedJSONIs400AndNonObjectIs422() throws {
        #expect(throws: AppError.self) { try reader("{bad") }
        do { _ = try reader("{bad") } catch { #expect(error.code == .badRequest) }
        do { _ = try reader("[1]") } catch { #expect(error.code == .validationError) }
        do { _ = try reader("") } catch { #expect(error.code == .validationError) }
    }

    @Test func integersOutOfRangeOrFractionalAreRefused() throws {
        var fields = try reader(#"{"a":1.5,"b":-1,"c":99999999999999999999999}"#)
        _ = fields.integer("a", in: 0...10)
        _ = fields.integer("b", in: 0...10)
        _ = fields.integer("c", in: 0...10)
        #expect(fields.issues.map(\.issue) == ["must be an integer", "must be between 0 and 10", "must be an integer"])
    }

    @Test func stringArraysRefuseRepeatsAndWrongElements() throws {
        var fields = try reader(#"{"a":["x","x"],"b":["x",1],"c":"x"}"#)
        _ = fields.stringArray("a", maxCount: 5)
        _ = fields.stringArray("b", maxCount: 5)
        _ = fields.stringArray("c", maxCount: 5)
        #expect(fields.issues == [FieldIssue(field: "a[1]", issue: "is repeated"),
                                  FieldIssue(field: "b[1]", issue: "must be a string, got number"),
                                  FieldIssue(field: "c", issue: "must be an array, got string")])
    }

    @Test(arguments: ["a@b.co", "first.last+tag@example.com", "x@sub.domain.org"])
    func plausibleEmailsPass(email: String) { #expect(EmailSyntax.isValid(email)) }

    @Test(arguments: ["", "plain", "@b.co", "a@", "a@b", "a@@b.co", "a b@c.de", "a@-b.co", ".a@b.co", "a..b@c.de",
                      String(repeating: "a", count: 65) + "@b.co"])
    func implausibleEmailsFail(email: String) { #expect(!EmailSyntax.isValid(email)) }

    @Test func lengthCountsCharactersNotBytes() {
        #expect(StringRule.length(1...3).check("héé") == nil)
        #expect(StringRule.length(1...3).check("") == "must not be empty")
        #expect(StringRule.printable.check("a\u{7}b") == "must not contain control characters")
        #expect(StringRule.uuid.check("not-a-uuid") == "must be a UUID")
    }

    @Test func asciiPatternRuleChecksCharactersAndLength() {
        let sku = StringRule.ascii(Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".utf8), length: 3...64, describe: "[A-Z0-9-]{3,64}")
        #expect(sku.check("ABC-123") == nil)
        #expect(sku.check("ab-123") == "must match [A-Z0-9-]{3,64}")
        #expect(sku.check("AB") == "must match [A-Z0-9-]{3,64}")
        #expect(sku.check(String(repeating: "A", count: 65)) == "must match [A-Z0-9-]{3,64}")
        #expect(sku.check("ÄBC") == "must match [A-Z0-9-]{3,64}")
    }
}
