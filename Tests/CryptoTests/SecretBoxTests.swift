import Crypto
import Testing

/// One published AES-256-GCM known answer.
struct GCMVector: Sendable, CustomTestStringConvertible {
    let name: String
    let key: String
    let nonce: String
    let plaintext: String
    let aad: String
    let ciphertext: String
    let tag: String
    var testDescription: String { name }
}

@Suite struct AES256GCMTests {
    // Test cases 13-16: McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)",
    // the specification submitted to NIST (gcm-spec.pdf), Appendix B, the 256-bit key cases
    // with a 96-bit IV. The last vector: NIST CAVP GCMVS, gcmEncryptExtIV256.rsp,
    // [Keylen = 256] [IVlen = 96] [PTlen = 128] [AADlen = 160] [Taglen = 128], Count = 0.
    static let vectors: [GCMVector] = [
        GCMVector(name: "gcm-spec test case 13 (empty plaintext)", key: String(repeating: "00", count: 32),
                  nonce: String(repeating: "00", count: 12), plaintext: "", aad: "", ciphertext: "",
                  tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        GCMVector(name: "gcm-spec test case 14 (one zero block)", key: String(repeating: "00", count: 32),
                  nonce: String(repeating: "00", count: 12), plaintext: String(repeating: "00", count: 16), aad: "",
                  ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        GCMVector(name: "gcm-spec test case 15 (four blocks)",
                  key: "feffe9928665731c6d6a8f9467308308 feffe9928665731c6d6a8f9467308308",
                  nonce: "cafebabefacedbaddecaf888",
                  plaintext: """
                      d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
                      1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b391aafd255
                      """,
                  aad: "",
                  ciphertext: """
                      522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa
                      8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662898015ad
                      """,
                  tag: "b094dac5d93471bdec1a502270e3cc6c"),
        GCMVector(name: "gcm-spec test case 16 (partial block, AAD)",
                  key: "feffe9928665731c6d6a8f9467308308 feffe9928665731c6d6a8f9467308308",
                  nonce: "cafebabefacedbaddecaf888",
                  plaintext: """
                      d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
                      1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b39
                      """,
                  aad: "feedfacedeadbeeffeedfacedeadbeef abaddad2",
                  ciphertext: """
                      522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa
                      8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662
                      """,
                  tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
        GCMVector(name: "CAVP gcmEncryptExtIV256 PTlen=128 AADlen=160 Count=0",
                  key: "83688deb4af8007f9b713b47cfa6c73e35ea7a3aa4ecdb414dded03bf7a0fd3a",
                  nonce: "0b459724904e010a46901cf3", plaintext: "33d893a2114ce06fc15d55e454cf90c3",
                  aad: "794a14ccd178c8ebfd1379dc704c5e208f9d8424",
                  ciphertext: "cc66bee423e3fcd4c0865715e9586696", tag: "0fb291bd3dba94a1dfd8b286cfb97ac5"),
    ]

    @Test(arguments: vectors)
    func sealMatchesThePublishedVector(_ vector: GCMVector) throws {
        let sealed = try AES256GCM.seal(key: hex(vector.key), nonce: hex(vector.nonce),
                                        plaintext: hex(vector.plaintext), associatedData: hex(vector.aad))
        #expect(sealed.ciphertext == hex(vector.ciphertext))
        #expect(sealed.tag == hex(vector.tag))
    }

    @Test(arguments: vectors)
    func openRecoversThePublishedPlaintextAndRefusesAChangedTag(_ vector: GCMVector) throws {
        let opened = try AES256GCM.open(key: hex(vector.key), nonce: hex(vector.nonce),
                                        ciphertext: hex(vector.ciphertext), tag: hex(vector.tag),
                                        associatedData: hex(vector.aad))
        #expect(opened == hex(vector.plaintext))
        var tag = hex(vector.tag)
        tag[15] ^= 0x01
        #expect(try AES256GCM.open(key: hex(vector.key), nonce: hex(vector.nonce), ciphertext: hex(vector.ciphertext),
                                   tag: tag, associatedData: hex(vector.aad)) == nil)
        #expect(try AES256GCM.open(key: hex(vector.key), nonce: hex(vector.nonce), ciphertext: hex(vector.ciphertext),
                                   tag: Array(hex(vector.tag).prefix(12)), associatedData: hex(vector.aad)) == nil)
    }

    @Test(arguments: [(31, 12), (33, 12), (0, 12), (32, 11), (32, 16), (32, 0)])
    func wrongKeyOrNonceSizesAreRefused(keyCount: Int, nonceCount: Int) {
        #expect(throws: CryptoError.self) {
            try AES256GCM.seal(key: [UInt8](repeating: 1, count: keyCount), nonce: [UInt8](repeating: 2, count: nonceCount),
                               plaintext: [1, 2, 3], associatedData: [])
        }
    }
}

@Suite struct SecretBoxTests {
    static func key(_ id: UInt8, _ fill: UInt8) throws -> SecretBox.Key {
        try SecretBox.Key(id: id, bytes: [UInt8](repeating: fill, count: 32))
    }

    static let owner = bytes("user:0f8e5c1a-0000-4000-8000-000000000001")

    @Test func sealedBlobHasTheDocumentedLayoutAndOpens() throws {
        let box = try SecretBox(current: SecretBoxTests.key(7, 0xA5))
        let secret = bytes("JBSWY3DPEHPK3PXP-twenty-byte")
        let blob = try box.seal(secret, associatedData: SecretBoxTests.owner)
        #expect(blob.count == 1 + 12 + secret.count + 16)
        #expect(blob[0] == 7)
        #expect(SecretBox.keyID(of: blob) == 7)
        #expect(try box.open(blob, associatedData: SecretBoxTests.owner) == secret)
        // The plaintext appears nowhere in the blob.
        #expect(!String(decoding: blob, as: UTF8.self).contains("JBSWY3DP"))
    }

    @Test func everySealUsesAFreshNonce() throws {
        let box = try SecretBox(current: SecretBoxTests.key(1, 1))
        let blobs = try (0..<64).map { _ in try box.seal([1, 2, 3], associatedData: []) }
        #expect(Set(blobs.map { Array($0[1..<13]) }).count == 64)
    }

    @Test func flippingAnyBitOfAnyByteIsDetected() throws {
        let box = try SecretBox(current: SecretBoxTests.key(1, 0x42))
        let blob = try box.seal(bytes("a secret of some length"), associatedData: SecretBoxTests.owner)
        for index in blob.indices {
            for bit in 0..<8 {
                var changed = blob
                changed[index] ^= UInt8(1) << UInt8(bit)
                #expect(throws: SecretBoxError.self, "byte \(index) bit \(bit)") {
                    try box.open(changed, associatedData: SecretBoxTests.owner)
                }
            }
        }
    }

    @Test(arguments: [0, 1, 12, 13, 28])
    func truncatedBlobsAreMalformed(length: Int) throws {
        let box = try SecretBox(current: SecretBoxTests.key(1, 3))
        let blob = try box.seal([], associatedData: [])
        #expect(blob.count == SecretBox.overhead)
        #expect(throws: SecretBoxError.malformed) { try box.open(Array(blob.prefix(length)), associatedData: []) }
        // One byte short of a full empty-plaintext blob is a truncated tag.
        #expect(throws: SecretBoxError.self) { try box.open(Array(blob.dropLast()), associatedData: []) }
        #expect(throws: SecretBoxError.self) { try box.open(blob + [0], associatedData: []) }
    }

    @Test func wrongKeyWithTheSameIDFailsAuthentication() throws {
        let blob = try SecretBox(current: SecretBoxTests.key(1, 0x01)).seal([9, 9, 9], associatedData: [])
        let other = try SecretBox(current: SecretBoxTests.key(1, 0x02))
        #expect(throws: SecretBoxError.authenticationFailed) { try other.open(blob, associatedData: []) }
    }

    @Test func aKeyIDThatIsNotConfiguredIsNamed() throws {
        let blob = try SecretBox(current: SecretBoxTests.key(2, 0x01)).seal([9], associatedData: [])
        #expect(throws: SecretBoxError.unknownKey(2)) {
            try SecretBox(current: SecretBoxTests.key(1, 0x01)).open(blob, associatedData: [])
        }
    }

    @Test func relabellingTheKeyIDIsDetectedEvenWhenBothKeysAreEqual() throws {
        // The id byte is authenticated: moving a blob to another id fails even with equal keys.
        let box = try SecretBox(current: SecretBoxTests.key(1, 0x11), previous: [SecretBoxTests.key(2, 0x11)])
        var blob = try box.seal([5, 6, 7], associatedData: [])
        blob[0] = 2
        #expect(throws: SecretBoxError.authenticationFailed) { try box.open(blob, associatedData: []) }
    }

    @Test(arguments: [
        ("another owner", bytes("user:0f8e5c1a-0000-4000-8000-000000000002")),
        ("no owner", [UInt8]()),
        ("a prefix of the owner", Array(SecretBoxTests.owner.dropLast())),
        ("the owner with a byte more", SecretBoxTests.owner + [0]),
    ])
    func wrongAssociatedDataFailsAuthentication(_ label: String, aad: [UInt8]) throws {
        let box = try SecretBox(current: SecretBoxTests.key(1, 0x33))
        let blob = try box.seal([1, 2, 3, 4], associatedData: SecretBoxTests.owner)
        #expect(throws: SecretBoxError.authenticationFailed, "\(label)") { try box.open(blob, associatedData: aad) }
    }

    @Test func emptyAndLargePlaintextsRoundTrip() throws {
        let box = try SecretBox(current: SecretBoxTests.key(1, 0x77))
        let empty = try box.seal([], associatedData: SecretBoxTests.owner)
        #expect(try box.open(empty, associatedData: SecretBoxTests.owner) == [])
        let large = (0..<(4 * 1024 * 1024 + 3)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let blob = try box.seal(large, associatedData: [])
        #expect(blob.count == large.count + SecretBox.overhead)
        #expect(try box.open(blob, associatedData: []) == large)
    }

    @Test func rotationOpensOldBlobsAndSealsWithTheNewKey() throws {
        let old = try SecretBox(current: SecretBoxTests.key(1, 0x01))
        let oldBlob = try old.seal([1], associatedData: [])
        let rotated = try SecretBox(current: SecretBoxTests.key(2, 0x02), previous: [SecretBoxTests.key(1, 0x01)])
        #expect(try rotated.open(oldBlob, associatedData: []) == [1])
        #expect(SecretBox.keyID(of: try rotated.seal([1], associatedData: [])) == 2)
    }

    @Test func invalidKeysAndDuplicateIDsAreRefused() throws {
        #expect(throws: CryptoError.self) { try SecretBox.Key(id: 0, bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.self) { try SecretBox.Key(id: 1, bytes: [UInt8](repeating: 0, count: 16)) }
        #expect(throws: CryptoError.self) {
            try SecretBox(current: SecretBoxTests.key(1, 1), previous: [SecretBoxTests.key(1, 2)])
        }
        #expect(!"\(try SecretBoxTests.key(1, 0x41))".contains("41"))
    }
}
