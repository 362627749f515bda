import Foundation
import HTTPCore
import Testing
@testable import StorefrontApp

@Suite struct ValidationTests {
    private func reader(_ json: String, target: String = "/") -> FieldReader {
        let head = HTTPRequestHead(method: .post, target: target, version: .http1_1, headers: HTTPHeaders(),
                                   framing: .contentLength(json.utf8.count), keepAlive: true, expectsContinue: false)
        return FieldReader(Request(http: HTTPRequest(head: head, body: Array(json.utf8))))
    }

    /// The error reading one body field ends in, if any.
    private func bodyError(_ json: String) -> AppError? {
        var fields = reader(json)
        _ = fields.string("any", required: false)
        do {
            try fields.finish()
            return nil
        } catch {
            return error
        }
    }

    @Test func everyBadFieldIsListedInOneError() throws {
        var fields = reader(#"{"email":"nope","password":"short","name":42,"extra":"ignored"}"#)
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
        var fields = reader(#"{"s":"abc","i":7,"b":false,"list":["x","y"],"nil":null}"#)
        #expect(fields.string("s", .length(1...3)) == "abc")
        #expect(fields.integer("i", in: 0...10) == 7)
        #expect(fields.boolean("b") == false)
        #expect(fields.stringArray("list", maxCount: 5, .oneOf(["x", "y"])) == ["x", "y"])
        #expect(fields.string("nil", required: false) == nil)
        try fields.finish()
    }

    @Test func malformedJSONIs400AndNonObjectIs422() {
        #expect(bodyError("{bad")?.code == .badRequest)
        #expect(bodyError("[1]")?.code == .validationError)
        #expect(bodyError("[1]")?.details == [FieldIssue(field: "body", issue: "must be a JSON object, got array")])
        #expect(bodyError("")?.details == [FieldIssue(field: "body", issue: "is required")])
        #expect(bodyError("{}") == nil)
    }

    @Test func integersOutOfRangeOrFractionalAreRefused() throws {
        var fields = reader(#"{"a":1.5,"b":-1,"c":99999999999999999999999}"#)
        _ = fields.integer("a", in: 0...10)
        _ = fields.integer("b", in: 0...10)
        _ = fields.integer("c", in: 0...10)
        #expect(fields.issues.map(\.issue) == ["must be an integer", "must be between 0 and 10", "must be an integer"])
    }

    @Test func stringArraysRefuseRepeatsAndWrongElements() throws {
        var fields = reader(#"{"a":["x","x"],"b":["x",1],"c":"x"}"#)
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
        #expect(sku.check("ABC\u{0}") == "must match [A-Z0-9-]{3,64}")
        #expect(sku.check(String(repeating: "Z9-", count: 21) + "A") == nil)
    }

    @Test func byteTableHoldsExactlyItsMembers() {
        let sets: [Set<UInt8>] = [[], Set(0...255), Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-".utf8), [0, 63, 64, 127, 128, 191, 192, 255]]
        for members in sets {
            let table = ByteTable(members)
            for byte in 0...255 { #expect(table.contains(UInt8(byte)) == members.contains(UInt8(byte)), "\(byte)") }
        }
    }
}

/// Body, query and path go through one reader, so one error lists every bad field.
@Suite struct RequestInputTests {
    private func request(_ target: String, body: String = "", id: String? = nil) -> Request {
        let head = HTTPRequestHead(method: .post, target: target, version: .http1_1, headers: HTTPHeaders(),
                                   framing: .contentLength(body.utf8.count), keepAlive: true, expectsContinue: false)
        return Request(http: HTTPRequest(head: head, body: Array(body.utf8)), pathParameters: id.map { ["id": $0] } ?? [:])
    }

    private func failure(_ fields: FieldReader) -> AppError? {
        do {
            try fields.finish()
            return nil
        } catch {
            return error
        }
    }

    @Test func bodyAndQueryIssuesComeInOneList() {
        var fields = FieldReader(request("/x?limit=0&sort=nope", body: #"{"name":42}"#))
        _ = fields.string("name")
        _ = fields.page(default: UserSort.createdAt)
        #expect(failure(fields)?.details.map(\.field) == ["name", "limit", "sort"])
    }

    @Test func aPathIDThatNamesNothingIs404WhateverElseIsWrong() {
        var fields = FieldReader(request("/x", body: "{bad", id: "not-a-uuid"))
        _ = fields.pathID()
        _ = fields.string("name")
        #expect(failure(fields)?.code == .notFound)
        var good = FieldReader(request("/x", id: "7c9e6679-7425-40de-944b-e07fc1f90ae7"))
        #expect(good.pathID() != nil)
        #expect(failure(good) == nil)
    }

    static let limits: [(query: String, limit: Int?)] = [
        ("", 20), ("limit=1", 1), ("limit=100", 100), ("limit=0", nil), ("limit=101", nil), ("limit=-1", nil),
        ("limit=", nil), ("limit=1e2", nil), ("limit=abc", nil), ("limit=99999999999999999999", nil),
    ]

    @Test(arguments: limits)
    func pageLimitIsBetween1And100DefaultingTo20(_ row: (query: String, limit: Int?)) {
        var fields = FieldReader(request("/x?" + row.query))
        let page = fields.page(default: UserSort.createdAt)
        #expect(page?.limit == row.limit)
        #expect(fields.issues.map(\.field) == (row.limit == nil ? ["limit"] : []))
    }

    @Test func aCursorIsCheckedOnlyOnceTheFieldsAreValid() throws {
        let codec = CursorCodec(key: Array("k".utf8))
        var fields = FieldReader(request("/x?sort=email&cursor=garbage"))
        let read = fields.page(default: UserSort.createdAt)
        let page = try #require(read)
        #expect(failure(fields) == nil)
        #expect(throws: AppError.self) { try page.after(using: codec) }
        let cursor = KeysetCursor(sort: "email", key: "a@b.co", id: UUID())
        var signed = FieldReader(request("/x?sort=email&cursor=" + codec.encode(cursor)))
        let signedRead = signed.page(default: UserSort.createdAt)
        let signedPage = try #require(signedRead)
        #expect(try signedPage.after(using: codec) == cursor)
    }
}
