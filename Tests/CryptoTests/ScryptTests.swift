import Crypto
import Testing

@Suite struct ScryptTests {
    // RFC 7914 §12, all four vectors (dkLen = 64). The fourth needs 1 GiB and a few seconds.
    @Test(arguments: [
        ("", "", 4, 1, 1, """
         77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42
         fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06
         """),
        ("password", "NaCl", 10, 8, 16, """
         fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62
         2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40
         """),
        ("pleaseletmein", "SodiumChloride", 14, 8, 1, """
         70 23 bd cb 3a fd 73 48 46 1c 06 cd 81 fd 38 eb fd a8 fb ba 90 4f 8e 3e a9 b5 43 f6 54 5d a1 f2
         d5 43 29 55 61 3f 0f cf 62 d4 97 05 24 2a 9a f9 e6 1e 85 dc 0d 65 1e 40 df cf 01 7b 45 57 58 87
         """),
        ("pleaseletmein", "SodiumChloride", 20, 8, 1, """
         21 01 cb 9b 6a 51 1a ae ad db be 09 cf 70 f8 81 ec 56 8d 57 4a 2f fd 4d ab e5 ee 98 20 ad aa 47
         8e 56 fd 8f 4b a5 d0 9f fa 1c 6d 92 7c 40 f4 c3 37 30 40 49 e8 a9 52 fb cb f4 5c 6f a7 7a 41 a4
         """),
    ])
    func deriveMatchesRFC7914Vectors(password: String, salt: String, logN: Int, r: Int, p: Int,
                                     expected: String) throws {
        let derived = try Scrypt.derive(
            password: bytes(password), salt: bytes(salt),
            parameters: Scrypt.Parameters(logN: logN, r: r, p: p), length: 64)
        #expect(derived == hex(expected))
    }

    @Test(arguments: [
        Scrypt.Parameters(logN: 0, r: 8, p: 1),  // N = 1: RFC 7914 §2 wants N > 1
        Scrypt.Parameters(logN: 31, r: 8, p: 1),
        Scrypt.Parameters(logN: 4, r: 0, p: 1),
        Scrypt.Parameters(logN: 4, r: 8, p: 0),
        Scrypt.Parameters(logN: 4, r: 1 << 15, p: 1 << 15),  // r·p ≥ 2^30
    ])
    func refusesInvalidParameters(parameters: Scrypt.Parameters) {
        #expect(throws: CryptoError.invalidParameters("scrypt N, r or p")) {
            try Scrypt.derive(password: bytes("pw"), salt: bytes("salt"), parameters: parameters,
                              length: 32)
        }
    }

    @Test func refusesAnEmptyOutput() {
        #expect(throws: CryptoError.invalidParameters("scrypt output length")) {
            try Scrypt.derive(password: bytes("pw"), salt: bytes("salt"),
                              parameters: Scrypt.Parameters(logN: 4, r: 1, p: 1), length: 0)
        }
    }
}
