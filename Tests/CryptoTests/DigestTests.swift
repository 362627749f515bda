import Crypto
import Testing

@Suite struct SHA256Tests {
    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty string.
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func digestMatchesFIPS180Examples(message: String, expected: String) throws {
        #expect(try SHA256.hash(bytes(message)) == hex(expected))
        #expect(try SHA256.hexHash(bytes(message)) == expected)
        #expect(try SHA256.hash(message) == hex(expected))
    }

    @Test func millionAsMatchesFIPS180LongExample() throws {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(try SHA256.hexHash(message)
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func hexStringIsLowerCaseTwoDigitsPerByte() {
        #expect([0x00, 0x0f, 0xa0, 0xff].hexString == "000fa0ff")
        #expect([UInt8]().hexString == "")
    }
}

@Suite struct HMACTests {
    static let longKeyText = "This is a test using a larger than block-size key and a larger "
        + "than block-size data. The key needs to be hashed before being used by the HMAC "
        + "algorithm."

    // RFC 4231 §4.2–4.8, test cases 1–7 (case 5's tag is truncated to 128 bits).
    @Test(arguments: [
        (hex(String(repeating: "0b", count: 20)), bytes("Hi There"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (bytes("Jefe"), bytes("what do ya want for nothing?"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (hex(String(repeating: "aa", count: 20)), hex(String(repeating: "dd", count: 50)),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
         hex(String(repeating: "cd", count: 50)),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (hex(String(repeating: "0c", count: 20)), bytes("Test With Truncation"),
         "a3b6167473100ee06e0c796c2955552b"),
        (hex(String(repeating: "aa", count: 131)),
         bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (hex(String(repeating: "aa", count: 131)), bytes(longKeyText),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func sha256MatchesRFC4231(key: [UInt8], message: [UInt8], expectedPrefix: String) throws {
        let tag = try HMAC.sha256(key: key, message: message)
        #expect(tag.count == 32)
        #expect(tag.hexString.hasPrefix(expectedPrefix))
    }

    // RFC 2202 §3, test cases 1–7 (case 5 lists the full tag as well as the truncation).
    @Test(arguments: [
        (hex(String(repeating: "0b", count: 20)), bytes("Hi There"),
         "b617318655057264e28bc0b6fb378c8ef146be00"),
        (bytes("Jefe"), bytes("what do ya want for nothing?"),
         "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (hex(String(repeating: "aa", count: 20)), hex(String(repeating: "dd", count: 50)),
         "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
        (hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
         hex(String(repeating: "cd", count: 50)), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
        (hex(String(repeating: "0c", count: 20)), bytes("Test With Truncation"),
         "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
        (hex(String(repeating: "aa", count: 80)),
         bytes("Test Using Larger Than Block-Size Key - Hash Key First"),
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        (hex(String(repeating: "aa", count: 80)),
         bytes("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
         "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
    ])
    func sha1MatchesRFC2202(key: [UInt8], message: [UInt8], expected: String) throws {
        #expect(try HMAC.sha1(key: key, message: message).hexString == expected)
    }

    @Test func emptyKeyAndMessageAreAccepted() throws {
        // The examples in Wikipedia's HMAC article: an empty key must not be treated as
        // "no key" (libcrypto's NULL-key semantics).
        #expect(try HMAC.sha256(key: [], message: []).hexString
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(try HMAC.sha256(key: bytes("key"),
                                message: bytes("The quick brown fox jumps over the lazy dog"))
                .hexString == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    @Test func differentKeysGiveDifferentTags() throws {
        let message = bytes("same message")
        #expect(try HMAC.sha256(key: bytes("key one"), message: message)
                != HMAC.sha256(key: bytes("key two"), message: message))
    }
}
