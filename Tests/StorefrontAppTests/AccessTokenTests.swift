import Crypto
import Foundation
import Testing
@testable import StorefrontApp

/// Every way an access token can be wrong is a 401 with `WWW-Authenticate: Bearer`; only a
/// well-signed token past `exp` says TOKEN_EXPIRED.
@Suite struct AccessTokenTests {
    enum Forgery: String, CaseIterable, Sendable {
        case tamperedPayload, tamperedSignature, wrongSecret, wrongAudience, wrongIssuer, futureIssuedAt
        case algNone, algHS512, oversized, notAJWT, unknownSubject, empty
    }

    static func forge(_ kind: Forgery, userID: String) throws -> String {
        let signer = try testSigner()
        let good = try signer.sign(claims(sub: userID))
        let parts = good.split(separator: ".").map(String.init)
        switch kind {
        case .tamperedPayload:
            let payload = String(decoding: Base64URL.decode(parts[1]) ?? [], as: UTF8.self)
            let admin = payload.replacingOccurrences(of: "\"customer\"", with: "\"admin\"")
            return parts[0] + "." + Base64URL.encode(admin) + "." + parts[2]
        case .tamperedSignature:
            var signature = Base64URL.decode(parts[2]) ?? [0]
            signature[0] ^= 1
            return parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
        case .wrongSecret:
            return try testSigner(secret: "another-secret-another-secret-0123456789").sign(claims(sub: userID))
        case .wrongAudience:
            return try testSigner(audience: "someone-else").sign(claims(sub: userID, aud: "someone-else"))
        case .wrongIssuer:
            return try testSigner(issuer: "evil").sign(claims(sub: userID, iss: "evil"))
        case .futureIssuedAt:
            return try signer.sign(claims(sub: userID, iat: Date().addingTimeInterval(120),
                                          exp: Date().addingTimeInterval(900)))
        case .algNone:
            return Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."
        case .algHS512:
            return Base64URL.encode(#"{"alg":"HS512","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]
        case .oversized:
            return parts[0] + "." + Base64URL.encode(String(repeating: "x", count: 5000)) + "." + parts[2]
        case .notAJWT:
            return "definitely-not-a-token"
        case .unknownSubject:
            return try signer.sign(claims(sub: UUID().uuidString.lowercased()))
        case .empty:
            return ""
        }
    }

    @Test(arguments: Forgery.allCases)
    func forgedOrInvalidTokensAre401(_ kind: Forgery) async throws {
        try await withIdentityApp { api in
            let (id, _) = try await api.customer("victim@example.com")
            let token = try AccessTokenTests.forge(kind, userID: id)
            let response = try await api.call("GET", "/api/v1/users/me", bearer: token)
            #expect(response.status == 401, "\(kind)")
            #expect(errorCode(response) == "UNAUTHORIZED")
            #expect(response.header("WWW-Authenticate") == "Bearer")
            #expect(!response.bodyText.contains(token.isEmpty ? "\u{0}" : token))
        }
    }

    @Test func expiredWellSignedTokenIsTokenExpired() async throws {
        try await withIdentityApp { api in
            let (id, _) = try await api.customer("late@example.com")
            let token = try testSigner().sign(claims(sub: id, iat: Date().addingTimeInterval(-1000),
                                                     exp: Date().addingTimeInterval(-31)))
            let response = try await api.call("GET", "/api/v1/users/me", bearer: token)
            #expect(response.status == 401)
            #expect(errorCode(response) == "TOKEN_EXPIRED")
            #expect(response.header("WWW-Authenticate") == "Bearer")
            // Within the 30 s leeway it still works.
            let lenient = try testSigner().sign(claims(sub: id, exp: Date().addingTimeInterval(-5)))
            #expect(try await api.call("GET", "/api/v1/users/me", bearer: lenient).status == 200)
        }
    }

    static let malformedHeaders = ["Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer", "Authorization: Bearer a b",
                                   "X-API-Key: sf_nope", "X-API-Key: "]

    @Test(arguments: malformedHeaders)
    func malformedCredentialHeadersAre401(_ header: String) async throws {
        try await withIdentityApp { api in
            let response = try await api.call("GET", "/api/v1/users/me", headers: [header])
            #expect(response.status == 401)
            #expect(response.header("WWW-Authenticate") == "Bearer")
        }
    }

    @Test func aDisabledUsersTokenStopsWorkingAtOnce() async throws {
        try await withIdentityApp { api in
            let (id, access) = try await api.customer("gone@example.com")
            #expect(try await api.call("GET", "/api/v1/users/me", bearer: access).status == 200)
            _ = try await api.db.query("UPDATE users SET disabled = true WHERE id = $1::uuid", [id])
            #expect(try await api.call("GET", "/api/v1/users/me", bearer: access).status == 401)
        }
    }

    @Test func roleComesFromTheUserRowNotTheToken() async throws {
        try await withIdentityApp { api in
            let (id, _) = try await api.customer("climber@example.com")
            // A token claiming admin, validly signed, for a customer: the row says customer.
            let token = try testSigner().sign(claims(sub: id, role: "admin"))
            #expect(try await api.call("GET", "/api/v1/users", bearer: token).status == 403)
        }
    }

    @Test func publicRoutesRefuseInvalidCredentialsButAcceptNone() async throws {
        try await withIdentityApp { api in
            let body = #"{"email":"p@example.com","password":"0123456789","name":"P"}"#
            let refused = try await api.call("POST", "/api/v1/auth/register", body: body, bearer: "garbage")
            #expect(refused.status == 401)
            let accepted = try await api.call("POST", "/api/v1/auth/register", body: body)
            #expect(accepted.status == 201)
        }
    }
}
