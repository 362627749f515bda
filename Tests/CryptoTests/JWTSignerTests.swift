import Crypto
import Foundation
import Testing

@Suite struct JWTSignerTests {
    static let secret = bytes("0123456789abcdef0123456789abcdef-test-only")
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func signer(leeway: TimeInterval = 30) throws -> JWTSigner {
        try JWTSigner(secret: secret, issuer: "storefront", audience: "storefront-api",
                      leeway: leeway)
    }

    static func claims(iss: String = "storefront", aud: JWTAudience = "storefront-api",
                       iat: TimeInterval = -60, exp: TimeInterval = 840,
                       nbf: TimeInterval? = nil) -> JWTClaims {
        JWTClaims(iss: iss, aud: aud, sub: "6f1c2a9e-2b7d-4f0e-8d7a-1e5b9c3d4a21",
                  role: "customer", iat: now.addingTimeInterval(iat),
                  exp: now.addingTimeInterval(exp), nbf: nbf.map(now.addingTimeInterval),
                  jti: "0b7c8e4e-7d1f-4a55-9c39-3f7f0c2d2a10")
    }

    /// A token with any header and payload text, MACed with `key` as HS256 would be:
    /// how an attacker who knows (or guesses) the format would build one.
    static func forge(header: String, payload: String, key: [UInt8] = secret) throws -> String {
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        return input + "." + Base64URL.encode(try HMAC.sha256(key: key, message: bytes(input)))
    }

    static let validPayload = #"{"aud":"storefront-api","exp":1767226440,"iat":1767225540,"#
        + #""iss":"storefront","jti":"j","role":"customer","sub":"u"}"#

    static func expectRefusal(_ token: String, _ expected: JWTError, leeway: TimeInterval = 30,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let signer = try signer(leeway: leeway)
        #expect(throws: expected, sourceLocation: sourceLocation) {
            try signer.verify(token, now: now)
        }
    }

    // MARK: Accepted

    @Test func signedTokenVerifiesToTheSameClaims() throws {
        let claims = Self.claims(aud: .multiple(["other", "storefront-api"]), nbf: -60)
        let token = try Self.signer().sign(claims)
        #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."))  // alg, typ
        #expect(try Self.signer().verify(token, now: Self.now) == claims)
    }

    @Test func forgedButCorrectlyKeyedPayloadWithoutTypVerifies() throws {
        let token = try Self.forge(header: #"{"alg":"HS256"}"#, payload: Self.validPayload)
        #expect(try Self.signer().verify(token, now: Self.now).sub == "u")
    }

    @Test func rfc7515AppendixA1ExampleVerifiesWithItsKey() throws {
        // RFC 7515 §A.1: header {"typ":"JWT",\r\n "alg":"HS256"}, key from its JWK "k".
        let key = try #require(Base64URL.decode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"))
        let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
            + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        let signer = try JWTSigner(secret: key, issuer: "joe", audience: "unused")
        let payload = try signer.verifiedPayload(of: token)
        #expect(String(decoding: payload, as: UTF8.self)
                == "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}")
        // Past the signature, the full check still refuses it: it has no aud, sub, role, ...
        #expect(throws: JWTError.malformed) {
            try signer.verify(token, now: Date(timeIntervalSince1970: 1_300_819_000))
        }
        // ...and one changed signature character is caught.
        #expect(throws: JWTError.badSignature) {
            try signer.verifiedPayload(of: token.replacingOccurrences(of: ".dBjf", with: ".dBjg"))
        }
    }

    @Test func timesWithinTheLeewayAreAccepted() throws {
        let signer = try Self.signer()
        for claims in [Self.claims(exp: -29), Self.claims(nbf: 30), Self.claims(iat: 30)] {
            #expect(try signer.verify(signer.sign(claims), now: Self.now) == claims)
        }
    }

    // MARK: Refused after a good signature

    @Test func expiredTokenIsRefusedAsExpired() throws {
        let signer = try Self.signer()
        try Self.expectRefusal(signer.sign(Self.claims(iat: -1000, exp: -30)), .expired)
        let strict = try Self.signer(leeway: 0)
        try Self.expectRefusal(strict.sign(Self.claims(exp: 0)), .expired, leeway: 0)
        #expect(try strict.verify(strict.sign(Self.claims(exp: 1)), now: Self.now).sub.count > 0)
    }

    @Test func notYetValidTokenIsRefused() throws {
        try Self.expectRefusal(Self.signer().sign(Self.claims(nbf: 31)), .notYetValid)
    }

    @Test func tokenIssuedInTheFutureBeyondLeewayIsRefused() throws {
        try Self.expectRefusal(Self.signer().sign(Self.claims(iat: 31, exp: 900)), .issuedInFuture)
    }

    @Test func wrongAudienceIsRefused() throws {
        let signer = try Self.signer()
        try Self.expectRefusal(signer.sign(Self.claims(aud: "storefront-admin")), .wrongAudience)
        try Self.expectRefusal(signer.sign(Self.claims(aud: .multiple([]))), .wrongAudience)
        try Self.expectRefusal(signer.sign(Self.claims(aud: "Storefront-API")), .wrongAudience)
    }

    @Test func wrongIssuerIsRefused() throws {
        try Self.expectRefusal(Self.signer().sign(Self.claims(iss: "evil")), .wrongIssuer)
    }

    @Test func anExpiredTokenForAnotherAudienceIsNotReportedAsExpired() throws {
        // TOKEN_EXPIRED is only for tokens that would otherwise be ours and good.
        let token = try Self.signer().sign(Self.claims(aud: "other", exp: -3600))
        try Self.expectRefusal(token, .wrongAudience)
    }

    @Test(arguments: [
        #"{"aud":"storefront-api","exp":1767226440,"iat":1767225540,"iss":"storefront","jti":"j","role":7,"sub":"u"}"#,
        #"{"aud":"storefront-api","exp":"1767226440","iat":1767225540,"iss":"storefront","jti":"j","role":"r","sub":"u"}"#,
        #"{"aud":42,"exp":1767226440,"iat":1767225540,"iss":"storefront","jti":"j","role":"r","sub":"u"}"#,
        #"{"aud":["storefront-api",1],"exp":1767226440,"iat":1767225540,"iss":"storefront","jti":"j","role":"r","sub":"u"}"#,
        #"{"aud":"storefront-api","exp":1767226440,"iat":1767225540,"iss":"storefront","role":"r","sub":"u"}"#,
        #"{"aud":"storefront-api","exp":1767226440,"iat":1767225540,"iss":"storefront","jti":"j","nbf":null,"role":"r","sub":"u"}"#,
        #"{"aud":"storefront-api","exp":1e400,"iat":1767225540,"iss":"storefront","jti":"j","role":"r","sub":"u"}"#,
        #"["storefront"]"#, #""just a string""#, "{", "", "null",
    ])
    func wellSignedButMalformedClaimsAreRefusedAsMalformed(payload: String) throws {
        try Self.expectRefusal(Self.forge(header: #"{"alg":"HS256","typ":"JWT"}"#,
                                          payload: payload), .malformed)
    }

    // MARK: Refused before any claim is read

    @Test func tamperedPayloadIsRefused() throws {
        let token = try Self.signer().sign(Self.claims())
        let parts = token.split(separator: ".")
        var admin = Self.claims()
        admin.role = "admin"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let forgedPayload = Base64URL.encode(Array(try encoder.encode(admin)))
        try Self.expectRefusal("\(parts[0]).\(forgedPayload).\(parts[2])", .badSignature)
    }

    @Test func tamperedSignatureIsRefused() throws {
        let token = try Self.signer().sign(Self.claims())
        let signatureStart = try #require(token.lastIndex(of: ".")).utf16Offset(in: token) + 1
        var characters = Array(token)
        characters[signatureStart] = characters[signatureStart] == "A" ? "B" : "A"
        try Self.expectRefusal(String(characters), .badSignature)
        // Cut short, or signed with another key of the same length.
        try Self.expectRefusal(String(token.dropLast(3)), .badSignature)
        let otherKey = bytes("another-secret-of-thirty-two-bytes-or-more")
        try Self.expectRefusal(Self.forge(header: #"{"alg":"HS256","typ":"JWT"}"#,
                                          payload: Self.validPayload, key: otherKey),
                               .badSignature)
    }

    @Test func expiredTokenWithABadSignatureIsABadSignatureNotExpired() throws {
        let token = try Self.forge(header: #"{"alg":"HS256"}"#, payload: Self.validPayload,
                                   key: bytes("not-the-server-secret-but-long-enough!!"))
        try Self.expectRefusal(token, .badSignature)
    }

    @Test(arguments: [
        #"{"alg":"none","typ":"JWT"}"#, #"{"alg":"none"}"#, #"{"alg":"None"}"#,
        #"{"alg":"HS512","typ":"JWT"}"#, #"{"alg":"HS384","typ":"JWT"}"#,
        #"{"alg":"RS256","typ":"JWT"}"#, #"{"alg":"ES256","typ":"JWT"}"#,
        #"{"alg":"PS256"}"#, #"{"alg":"hs256"}"#, #"{"alg":"HS256 "}"#, #"{"alg":7}"#,
        #"{"alg":["HS256"]}"#,
    ])
    func everyOtherAlgorithmIsRefused(header: String) throws {
        // MACed with our real secret, as in the RS256-to-HS256 key-confusion attack.
        try Self.expectRefusal(Self.forge(header: header, payload: Self.validPayload),
                               .unsupportedAlgorithm)
        // The classic "alg: none" shape: an empty signature.
        let unsigned = Base64URL.encode(header) + "." + Base64URL.encode(Self.validPayload) + "."
        try Self.expectRefusal(unsigned, .unsupportedAlgorithm)
    }

    @Test(arguments: [
        #"{"alg":"HS256","typ":"JWT","kid":"k1"}"#,
        #"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        #"{"alg":"HS256","jku":"https://attacker.example/keys"}"#,
        #"{"alg":"HS256","typ":"at+jwt"}"#, #"{"alg":"HS256","typ":1}"#,
    ])
    func headerMembersBeyondAlgAndTypAreRefused(header: String) throws {
        try Self.expectRefusal(Self.forge(header: header, payload: Self.validPayload),
                               .unsupportedHeader)
    }

    @Test(arguments: [#"{"typ":"JWT"}"#, "{}", #"["HS256"]"#, "not json", ""])
    func headerWithoutAnAlgorithmIsMalformed(header: String) throws {
        try Self.expectRefusal(Self.forge(header: header, payload: Self.validPayload),
                               .malformed)
    }

    @Test func oversizedTokenIsRefusedBeforeDecoding() throws {
        var claims = Self.claims()
        claims.jti = String(repeating: "x", count: 4000)
        let token = try Self.signer().sign(claims)
        #expect(token.utf8.count > JWTSigner.maximumTokenBytes)
        try Self.expectRefusal(token, .tooLarge)
        // Size is checked first: garbage of that size is not even parsed.
        try Self.expectRefusal(String(repeating: "!", count: 5000), .tooLarge)
    }

    @Test func malformedBase64OrShapeIsRefused() throws {
        let token = try Self.signer().sign(Self.claims())
        let parts = token.split(separator: ".").map(String.init)
        let cases = [
            "", ".", "..", "...", parts[0], "\(parts[0]).\(parts[1])", token + ".",
            "\(parts[0]).\(parts[1]).\(parts[2]).\(parts[2])",
            "\(parts[0])=.\(parts[1]).\(parts[2])",  // padding
            "\(parts[0]).\(parts[1])=.\(parts[2])",
            "\(parts[0]).\(parts[1]).\(parts[2])=",
            "\(parts[0]).\(parts[1].replacingOccurrences(of: "e", with: "+")).\(parts[2])",
            "\(parts[0]).\(parts[1]).\(parts[2].dropLast())/",
            " \(token)", "\(token) ", "\(token)\n", "Bearer \(token)",
        ]
        for text in cases {
            try Self.expectRefusal(text, .malformed)
        }
    }

    // MARK: Configuration

    @Test func secretsShorterThan32BytesAreRefused() throws {
        #expect(throws: JWTConfigurationError.secretTooShort) {
            try JWTSigner(secret: [UInt8](repeating: 7, count: 31), issuer: "i", audience: "a")
        }
        #expect(try JWTSigner(secret: [UInt8](repeating: 7, count: 32), issuer: "i",
                              audience: "a").leeway == 30)
    }

    @Test(arguments: [30.5, 31, 3600, -1, .nan, .infinity])
    func leewayIsCappedAt30Seconds(leeway: TimeInterval) {
        #expect(throws: JWTConfigurationError.leewayOutOfRange) {
            try JWTSigner(secret: Self.secret, issuer: "i", audience: "a", leeway: leeway)
        }
    }

    @Test func emptyIssuerOrAudienceIsRefused() {
        #expect(throws: JWTConfigurationError.missingIssuerOrAudience) {
            try JWTSigner(secret: Self.secret, issuer: "", audience: "a")
        }
        #expect(throws: JWTConfigurationError.missingIssuerOrAudience) {
            try JWTSigner(secret: Self.secret, issuer: "i", audience: "")
        }
    }

    @Test func theSecretNeverAppearsInDescriptions() throws {
        let signer = try Self.signer()
        let secretText = String(decoding: Self.secret, as: UTF8.self)
        for text in [String(describing: signer), String(reflecting: signer),
                     "\(signer)", String(describing: Mirror(reflecting: signer).children.map(\.value))] {
            #expect(!text.contains(secretText))
            #expect(!text.contains("48, 49, 50"))  // the bytes of "012" as an array dump
        }
    }
}
