import Crypto
import Testing

@Suite struct Base64URLTests {
    // RFC 4648 §10 vectors, without the padding RFC 7515 §2 drops.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func encodesAndDecodesRFC4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(bytes(plain)) == encoded)
        #expect(Base64URL.encode(plain) == encoded)
        #expect(Base64URL.decode(encoded) == bytes(plain))
    }

    @Test func usesTheURLSafeAlphabet() {
        // These bytes are "++++", "////" and "+/8" in standard base64 (RFC 4648 §4).
        #expect(Base64URL.encode([0xfb, 0xef, 0xbe]) == "----")
        #expect(Base64URL.encode([0xff, 0xff, 0xff]) == "____")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
    }

    @Test(arguments: [
        "Zg==", "Zm8=", "Zg=", "=",  // padding
        "Zm9v+", "+/8", "Zm9v/w",  // standard-alphabet characters
        "Z", "Zm9vY",  // length 1 mod 4 cannot end a quantum
        "Zh", "Zm9", "-_9",  // non-zero unused bits: non-canonical (RFC 4648 §3.5)
        " Zg", "Zg ", "Zg\n", "Z g", "Zm9v\u{e9}", "Zg.",
    ])
    func refusesNonCanonicalOrForeignText(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func roundTripsEveryLengthUpTo64() throws {
        for length in 0...64 {
            let data = try SecureRandom.bytes(length)
            let text = Base64URL.encode(data)
            #expect(!text.contains("="))
            #expect(Base64URL.decode(text) == data)
        }
    }
}

@Suite struct Base32Tests {
    // RFC 4648 §10 vectors.
    @Test(arguments: [
        ("", ""), ("f", "MY======"), ("fo", "MZXQ===="), ("foo", "MZXW6==="),
        ("foob", "MZXW6YQ="), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======"),
    ])
    func encodesAndDecodesRFC4648Vectors(plain: String, padded: String) {
        let unpadded = String(padded.prefix { $0 != "=" })
        #expect(Base32.encode(bytes(plain), padded: true) == padded)
        #expect(Base32.encode(bytes(plain)) == unpadded)
        #expect(Base32.decode(padded) == bytes(plain))
        #expect(Base32.decode(unpadded) == bytes(plain))
        #expect(Base32.decode(unpadded.lowercased()) == bytes(plain))
    }

    @Test(arguments: [
        "M", "MZX", "MZXW6Y",  // lengths no encoding can have
        "MY=====", "MY=======", "MZXW6YTB========",  // padding of the wrong length
        "MY======MY======", "M=Y=====",  // padding before the end
        "MZ", "MZXR",  // non-zero unused bits
        // characters outside the alphabet
        "M0", "M1", "M8======", "M9", "MY 9", "MZXW 6YT", "MZXW-6YT",
    ])
    func refusesInvalidText(text: String) {
        #expect(Base32.decode(text) == nil)
    }

    @Test func roundTripsRandomSecrets() throws {
        for length in 0...40 {
            let data = try SecureRandom.bytes(length)
            #expect(Base32.decode(Base32.encode(data)) == data)
            #expect(Base32.decode(Base32.encode(data, padded: true)) == data)
        }
    }
}

@Suite struct ConstantTimeEqualsTests {
    @Test func equalBytesCompareEqual() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(constantTimeEquals([], []))
    }

    @Test func anyDifferingByteMakesThemUnequal() {
        let base = [UInt8](repeating: 0x5a, count: 32)
        for index in base.indices {
            var other = base
            other[index] ^= 0x01
            #expect(!constantTimeEquals(base, other))
        }
    }

    @Test func differentLengthsAreUnequalEvenForAPrefix() {
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([], [0]))
        #expect(!constantTimeEquals([0], []))
    }
}

@Suite struct SecureRandomTests {
    @Test func returnsTheRequestedNumberOfFreshBytes() throws {
        let first = try SecureRandom.bytes(32)
        let second = try SecureRandom.bytes(32)
        #expect(first.count == 32)
        #expect(first != second)  // a 2^-256 chance of a false failure
        #expect(first != [UInt8](repeating: 0, count: 32))
        #expect(try SecureRandom.bytes(0) == [])
    }

    @Test func refusesANegativeCount() {
        #expect(throws: CryptoError.invalidParameters("random byte count")) {
            try SecureRandom.bytes(-1)
        }
    }
}
