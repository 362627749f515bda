import Crypto
import Foundation
import Testing
@testable import StorefrontApp

/// API.md, Auth: TOTP enrolment, confirmation, login with a code, replay refusal, disabling.
@Suite struct TOTPTests {
    /// Enrols and confirms TOTP for a fresh user; returns the secret, the access token and
    /// the step the confirming code used (already spent).
    static func enrol(_ api: IdentityApp, _ email: String) async throws -> (secret: [UInt8], access: String, step: Int64) {
        let (_, access) = try await api.customer(email)
        let begin = try await api.call("POST", "/api/v1/auth/mfa/totp", bearer: access)
        guard begin.status == 201 else { throw TestFailure("enrol: \(begin.status) \(begin.bodyText)") }
        let json = try RunningApp.json(begin)
        let secretText = try #require(json["secret"] as? String)
        let secret = try #require(Base32.decode(secretText))
        let uri = try #require(json["otpauth_uri"] as? String)
        #expect(uri.hasPrefix("otpauth://totp/Storefront:") && uri.contains("secret=\(secretText)"))
        let step = TOTP.step(at: Date())
        let code = try TOTP.code(secret: secret, step: step)
        let confirm = try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"\#(code)"}"#, bearer: access)
        guard confirm.status == 204 else { throw TestFailure("confirm: \(confirm.status) \(confirm.bodyText)") }
        return (secret, access, step)
    }

    @Test func enrolConfirmThenLoginNeedsACode() async throws {
        try await withIdentityApp { api in
            let (secret, access, step) = try await TOTPTests.enrol(api, "mfa@example.com")
            #expect(try RunningApp.json(try await api.call("GET", "/api/v1/users/me", bearer: access))["mfa_enabled"] as? Bool == true)
            let body = #"{"email":"mfa@example.com","password":"correct horse battery"}"#
            let missing = try await api.call("POST", "/api/v1/auth/login", body: body)
            #expect(missing.status == 401)
            #expect(errorCode(missing) == "MFA_REQUIRED")
            let wrong = try await api.call("POST", "/api/v1/auth/login",
                                     body: #"{"email":"mfa@example.com","password":"correct horse battery","otp":"000000x"}"#)
            #expect(errorCode(wrong) == "MFA_REQUIRED")
            // The confirming code's step is spent; the next step's code (within ±1) works once.
            let next = try TOTP.code(secret: secret, step: step + 1)
            _ = try await api.login("mfa@example.com", otp: next)
            let replay = try await api.call("POST", "/api/v1/auth/login",
                                      body: #"{"email":"mfa@example.com","password":"correct horse battery","otp":"\#(next)"}"#)
            #expect(replay.status == 401)
            #expect(errorCode(replay) == "MFA_REQUIRED")
        }
    }

    @Test func theConfirmingCodeCannotBeReplayedAtLogin() async throws {
        try await withIdentityApp { api in
            let (secret, _, step) = try await TOTPTests.enrol(api, "replay@example.com")
            let spent = try TOTP.code(secret: secret, step: step)
            let response = try await api.call("POST", "/api/v1/auth/login",
                                        body: #"{"email":"replay@example.com","password":"correct horse battery","otp":"\#(spent)"}"#)
            #expect(errorCode(response) == "MFA_REQUIRED")
        }
    }

    @Test func confirm422ForAWrongCodeAnd409WithoutEnrolment() async throws {
        try await withIdentityApp { api in
            let (_, access) = try await api.customer("w@example.com")
            let early = try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"123456"}"#, bearer: access)
            #expect(early.status == 409)
            #expect(try await api.call("POST", "/api/v1/auth/mfa/totp", bearer: access).status == 201)
            let wrong = try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: #"{"code":"12345"}"#, bearer: access)
            #expect(wrong.status == 422)
            #expect(errorCode(wrong) == "VALIDATION_ERROR")
            #expect(try await api.call("POST", "/api/v1/auth/mfa/totp/confirm", body: "{}", bearer: access).status == 422)
        }
    }

    @Test func disableNeedsAFreshCodeAndThenLoginNeedsNone() async throws {
        try await withIdentityApp { api in
            let (secret, access, step) = try await TOTPTests.enrol(api, "off@example.com")
            #expect(try await api.call("POST", "/api/v1/auth/mfa/totp", bearer: access).status == 409)
            let spent = try TOTP.code(secret: secret, step: step)
            #expect(try await api.call("DELETE", "/api/v1/auth/mfa/totp", body: #"{"code":"\#(spent)"}"#, bearer: access).status == 422)
            let fresh = try TOTP.code(secret: secret, step: step + 1)
            #expect(try await api.call("DELETE", "/api/v1/auth/mfa/totp", body: #"{"code":"\#(fresh)"}"#, bearer: access).status == 204)
            _ = try await api.login("off@example.com")
            #expect(try await api.call("DELETE", "/api/v1/auth/mfa/totp", body: #"{"code":"\#(fresh)"}"#, bearer: access).status == 409)
        }
    }
}
