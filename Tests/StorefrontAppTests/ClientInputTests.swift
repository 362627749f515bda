import Foundation
import Postgres
import Testing
@testable import StorefrontApp

/// Client input that used to reach PostgreSQL and come back as a 500: NUL characters, and
/// lengths counted differently by validation (grapheme clusters) and the database (code
/// points). Every row must be a 4xx naming the field.
@Suite struct ClientInputTests {
    /// `a` plus 150 combining acute accents: one grapheme cluster, 151 PostgreSQL characters.
    static let stackedAccents = "a" + String(repeating: "\u{301}", count: 150)

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar == "\"" || scalar == "\\" {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let method: String
        let path: String
        /// `{}` stands for the JSON string of the case's bad value.
        let body: String?
        let field: String
        let needsBearer: Bool
        var testDescription: String { "\(method) \(path) \(field)" }
    }

    static let nul = "a\u{0}@example.com"
    static let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"

    static let rows: [Row] = [
        Row(method: "POST", path: "/api/v1/auth/login", body: #"{"email":{NUL},"password":"correct horse battery"}"#,
            field: "email", needsBearer: false),
        Row(method: "POST", path: "/api/v1/auth/login", body: #"{"email":"a@example.com","password":{NUL}}"#,
            field: "password", needsBearer: false),
        Row(method: "POST", path: "/api/v1/auth/register",
            body: #"{"email":"n@example.com","password":{NUL},"name":"N"}"#, field: "password", needsBearer: false),
        Row(method: "POST", path: "/api/v1/auth/register",
            body: #"{"email":"n@example.com","password":"correct horse battery","name":{ACCENTS}}"#,
            field: "name", needsBearer: false),
        Row(method: "POST", path: "/api/v1/auth/refresh", body: #"{"refresh_token":{NUL}}"#, field: "refresh_token",
            needsBearer: false),
        Row(method: "PATCH", path: "/api/v1/users/me", body: #"{"name":{ACCENTS}}"#, field: "name", needsBearer: true),
        Row(method: "POST", path: "/api/v1/api-keys", body: #"{"name":{ACCENTS},"scopes":["users:read"]}"#,
            field: "name", needsBearer: true),
        Row(method: "POST", path: "/api/v1/api-keys", body: #"{"name":"ci","scopes":[{NUL}]}"#,
            field: "scopes[0]", needsBearer: true),
        Row(method: "GET", path: "/api/v1/users?q=%00", body: nil, field: "q", needsBearer: true),
        Row(method: "GET", path: "/api/v1/users?q=a%00b", body: nil, field: "q", needsBearer: true),
        Row(method: "GET", path: "/api/v1/users?q=a" + String(repeating: "%CC%81", count: 100), body: nil, field: "q",
            needsBearer: true),
    ]

    /// One app for the whole table: a database per row would crowd the test cluster.
    @Test func badTextIs422NamingTheField() async throws {
        try await withIdentityApp { api in
            let admin = try await api.admin()
            for row in ClientInputTests.rows {
                let body = row.body.map {
                    $0.replacingOccurrences(of: "{NUL}", with: ClientInputTests.jsonString(ClientInputTests.nul))
                        .replacingOccurrences(of: "{ACCENTS}", with: ClientInputTests.jsonString(ClientInputTests.stackedAccents))
                }
                let response = try await api.call(row.method, row.path, body: body, bearer: row.needsBearer ? admin.access : nil)
                #expect(response.status == 422, "\(row.testDescription): \(response.bodyText)")
                let details = (try RunningApp.json(response)["error"] as? [String: Any])?["details"] as? [[String: Any]]
                #expect(details?.contains { $0["field"] as? String == row.field } == true,
                        "\(row.testDescription): \(response.bodyText)")
            }
            #expect(!api.logs.all.contains { $0.contains("unhandled error") })
        }
    }

    /// Lengths count Unicode scalars, what PostgreSQL's char_length counts in UTF8.
    static let nameLengths: [(name: String, status: Int)] = [
        ("a", 201),
        (String(repeating: "e\u{301}", count: 50), 201),
        (String(repeating: "e\u{301}", count: 50) + "x", 422),
        (String(repeating: "é", count: 100), 201),
        // A family emoji: one grapheme cluster of seven scalars.
        (String(repeating: ClientInputTests.family, count: 14), 201),
        (String(repeating: ClientInputTests.family, count: 15), 422),
        (String(repeating: "x", count: 100), 201),
        (String(repeating: "x", count: 101), 422),
        ("", 422),
    ]

    @Test func nameLengthIsCountedAsTheDatabaseCountsIt() async throws {
        try await withIdentityApp { api in
            for (index, row) in ClientInputTests.nameLengths.enumerated() {
                let body = #"{"email":"len\#(index)@example.com","password":"correct horse battery","name":"#
                    + ClientInputTests.jsonString(row.name) + "}"
                let response = try await api.call("POST", "/api/v1/auth/register", body: body)
                #expect(response.status == row.status, "row \(index): \(response.bodyText)")
            }
        }
    }
}

/// The safety net behind validation: a check or not-null violation that still reaches the
/// database is a clean 422, and its log line never carries PostgreSQL's row detail (which
/// holds the password hash and TOTP secret).
@Suite struct ConstraintViolationTests {
    static let setups: [(name: String, sql: [SQL])] = [
        ("check", ["ALTER TABLE users ADD CONSTRAINT test_reserved_name CHECK (name <> 'Reserved Name')"]),
        ("not null", [
            "CREATE FUNCTION test_null_name() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = 'Reserved Name' THEN NEW.name := NULL; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER test_null_name BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION test_null_name()",
        ]),
    ]

    @Test(arguments: setups)
    func aViolationThatSlipsThroughIs422WithNoRowDetailInResponseOrLog(_ setup: (name: String, sql: [SQL])) async throws {
        try await withIdentityApp { api in
            for statement in setup.sql { _ = try await api.db.query(statement, []) }
            let response = try await api.call("POST", "/api/v1/auth/register",
                                              body: #"{"email":"row@example.com","password":"correct horse battery","name":"Reserved Name"}"#)
            #expect(response.status == 422, "\(response.bodyText)")
            #expect(errorCode(response) == "VALIDATION_ERROR")
            // And through PATCH /users/me, which updates a row holding a real hash.
            let (_, access) = try await api.customer("patch@example.com")
            let patched = try await api.call("PATCH", "/api/v1/users/me", body: #"{"name":"Reserved Name"}"#, bearer: access)
            #expect(patched.status == 422, "\(patched.bodyText)")
            let log = api.logs.all.joined(separator: "\n")
            for secret in ["Failing row", "$scrypt$", "row@example.com", "patch@example.com"] {
                #expect(!log.contains(secret), "log carries \(secret)")
                #expect(!response.bodyText.contains(secret) && !patched.bodyText.contains(secret))
            }
        }
    }
}

/// However a database error is printed, it never shows the server's detail (for a unique
/// violation the key, for check and not-null violations the whole row).
@Suite struct DatabaseErrorPrintingTests {
    struct Wrapper: Error { let inner: PostgresError }

    @Test func noPrintingOfADatabaseErrorShowsItsDetail() {
        let error = PostgresError.server(sqlState: "23505", message: "duplicate key value violates unique constraint",
                                         constraint: "users_email_lower_key",
                                         detail: "Key (lower(email))=(secret@example.com) already exists.")
        let printed = [String(describing: error), String(reflecting: error), "\(error)",
                       String(describing: Wrapper(inner: error)), String(reflecting: Wrapper(inner: error)),
                       String(describing: MigrationError.failed(file: "0009_x.up.sql", error: error)),
                       String(describing: [error])]
        for text in printed {
            #expect(!text.contains("secret@example.com"), "\(text)")
            #expect(text.contains("23505"), "\(text)")
        }
    }
}
