import Crypto
import Foundation
import Testing

/// Tokens made by PyJWT (an independent implementation) with
/// `Fixtures/make_pyjwt_tokens.py`, verified here with the same fixed `now`.
@Suite struct JWTFixtureTests {
    struct Fixture: Decodable {
        struct Entry: Decodable {
            var name: String
            var token: String
            var expect: String
            var claims: JWTClaims?
        }

        var generator: String
        var secret: String
        var issuer: String
        var audience: String
        var now: Double
        var leeway: Double
        var tokens: [Entry]
    }

    static func loadFixture() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "pyjwt_tokens",
                                                 withExtension: "json",
                                                 subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static let expectedErrors: [String: JWTError] = [
        "expired": .expired, "notYetValid": .notYetValid, "issuedInFuture": .issuedInFuture,
        "wrongIssuer": .wrongIssuer, "wrongAudience": .wrongAudience,
        "badSignature": .badSignature, "unsupportedAlgorithm": .unsupportedAlgorithm,
        "unsupportedHeader": .unsupportedHeader, "malformed": .malformed,
    ]

    @Test func everyPyJWTTokenGetsTheOutcomeItWasMadeFor() throws {
        let fixture = try Self.loadFixture()
        #expect(fixture.tokens.count >= 10)
        let signer = try JWTSigner(secret: bytes(fixture.secret), issuer: fixture.issuer,
                                   audience: fixture.audience, leeway: fixture.leeway)
        let now = Date(timeIntervalSince1970: fixture.now)
        for entry in fixture.tokens {
            if entry.expect == "valid" {
                let claims = try signer.verify(entry.token, now: now)
                #expect(claims == entry.claims, "\(entry.name)")
            } else {
                let expected = try #require(Self.expectedErrors[entry.expect], "\(entry.name)")
                #expect(throws: expected, "\(entry.name)") {
                    try signer.verify(entry.token, now: now)
                }
            }
        }
    }

    @Test func ourSignatureEqualsPyJWTsByteForByte() throws {
        // Both sort header and payload keys and use compact JSON, so the same claims must
        // give the same token: a check of our encoding, base64url and HMAC all at once.
        let fixture = try Self.loadFixture()
        let signer = try JWTSigner(secret: bytes(fixture.secret), issuer: fixture.issuer,
                                   audience: fixture.audience)
        var compared = 0
        for entry in fixture.tokens where entry.expect == "valid" && !entry.name.contains("extra") {
            let claims = try #require(entry.claims)
            #expect(try signer.sign(claims) == entry.token, "\(entry.name)")
            compared += 1
        }
        #expect(compared >= 4)
    }
}
