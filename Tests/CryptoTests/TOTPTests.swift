import Crypto
import Foundation
import Testing

@Suite struct TOTPTests {
    /// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
    static let rfcSecret = bytes("12345678901234567890")

    // RFC 6238 Appendix B, every SHA-1 row (8 digits).
    @Test(arguments: [
        (59.0, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func sha1VectorsOfRFC6238AppendixB(unixTime: TimeInterval, expected: String) throws {
        let time = Date(timeIntervalSince1970: unixTime)
        #expect(try TOTP.code(secret: Self.rfcSecret, time: time, digits: .eight) == expected)
        // The same truncated value modulo 10^6 is the last six digits (RFC 4226 §5.3).
        #expect(try TOTP.code(secret: Self.rfcSecret, time: time) == String(expected.suffix(6)))
    }

    @Test func stepCountsThirtySecondPeriodsFromTheEpoch() {
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 60)) == 2)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 1_111_111_109)) == 0x23523EC)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 20_000_000_000)) == 0x27BC86AA)
    }

    @Test func codesOfTheAdjacentStepsAreAcceptedAndReturnTheirStep() throws {
        let secret = try TOTP.generateSecret()
        let now = Date(timeIntervalSince1970: 1_767_225_615)
        let step = TOTP.step(at: now)
        for offset: Int64 in [-1, 0, 1] {
            let code = try TOTP.code(secret: secret, step: step + offset)
            #expect(try TOTP.verify(code: code, secret: secret, time: now, lastUsedStep: nil)
                    == step + offset)
        }
        for offset: Int64 in [-3, -2, 2, 3] {
            let code = try TOTP.code(secret: secret, step: step + offset)
            // A collision with an accepted step's code is possible (1 in 10^6 per step).
            let accepted = try [-1, 0, 1].map { try TOTP.code(secret: secret, step: step + $0) }
            guard !accepted.contains(code) else { continue }
            #expect(try TOTP.verify(code: code, secret: secret, time: now, lastUsedStep: nil)
                    == nil)
        }
    }

    @Test func aCodeCannotBeUsedTwice() throws {
        let secret = Self.rfcSecret
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let code = try TOTP.code(secret: secret, time: now)
        let used = try #require(try TOTP.verify(code: code, secret: secret, time: now,
                                                lastUsedStep: nil))
        #expect(used == TOTP.step(at: now))
        // Same code again, still inside its window: refused.
        #expect(try TOTP.verify(code: code, secret: secret, time: now, lastUsedStep: used) == nil)
        #expect(try TOTP.verify(code: code, secret: secret, time: now.addingTimeInterval(30),
                                lastUsedStep: used) == nil)
        // An older step's code is refused once a later one was used.
        let previous = try TOTP.code(secret: secret, step: used - 1)
        #expect(try TOTP.verify(code: previous, secret: secret, time: now, lastUsedStep: used)
                == nil)
        // The next step's code is still fine.
        let next = try TOTP.code(secret: secret, step: used + 1)
        #expect(try TOTP.verify(code: next, secret: secret, time: now, lastUsedStep: used)
                == used + 1)
    }

    @Test(arguments: ["", "12345", "1234567", "12345a", " 123456", "123 456", "١٢٣٤٥٦", "-12345"])
    func codesOfTheWrongShapeAreRefused(code: String) throws {
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        #expect(try TOTP.verify(code: code, secret: Self.rfcSecret, time: now,
                                lastUsedStep: nil) == nil)
    }

    @Test func wrongSecretIsRefused() throws {
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let code = try TOTP.code(secret: Self.rfcSecret, time: now)
        #expect(try TOTP.verify(code: code, secret: bytes("another secret 20 by"), time: now,
                                lastUsedStep: nil) == nil)
    }

    @Test func generatedSecretsAre20FreshBytes() throws {
        let first = try TOTP.generateSecret()
        #expect(first.count == 20)
        #expect(try TOTP.generateSecret() != first)
    }

    @Test func otpauthURIFollowsTheKeyURIFormat() {
        let uri = TOTP.otpauthURI(secret: Self.rfcSecret, account: "alice@example.com",
                                  issuer: "Storefront")
        #expect(uri == "otpauth://totp/Storefront:alice%40example.com"
                + "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Storefront"
                + "&algorithm=SHA1&digits=6&period=30")
    }

    @Test func otpauthURIPercentEncodesIssuerAndAccount() throws {
        let uri = TOTP.otpauthURI(secret: [0xff], account: "bob smith:x/é",
                                  issuer: "Acme & Co: Shop")
        #expect(uri == "otpauth://totp/Acme%20%26%20Co%3A%20Shop:bob%20smith%3Ax%2F%C3%A9"
                + "?secret=74&issuer=Acme%20%26%20Co%3A%20Shop&algorithm=SHA1&digits=6&period=30")
        let components = try #require(URLComponents(string: uri))
        #expect(components.queryItems?.first { $0.name == "issuer" }?.value == "Acme & Co: Shop")
        #expect(components.queryItems?.first { $0.name == "secret" }.flatMap {
            $0.value.flatMap(Base32.decode)
        } == [0xff])
    }
}
