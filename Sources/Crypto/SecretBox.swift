/// Seals small secrets for storage at rest (ADR 0006) with AES-256-GCM under a 32-byte key,
/// and opens them again only when nothing about them changed.
///
/// A sealed blob is `key id (1 byte) | nonce (12 bytes, from RAND_bytes) | ciphertext | tag
/// (16 bytes)`. The key id is authenticated too (it is part of the associated data), so a
/// blob cannot be steered to another key. Rotation: seal with a new `current` key and keep
/// the old ones in `previous`; blobs name the key that opens them, so old rows keep opening
/// while they are re-sealed.
///
/// Random 96-bit nonces stay below the 2^-32 collision bound of SP 800-38D §8.3 for up to
/// 2^32 seals per key, far more than this application's secrets will ever need.
public struct SecretBox: Sendable {
    /// What the first byte of a blob may be: 0 is never a key id, so an all-zero or
    /// truncated value cannot pass as a blob.
    public static let keyIDs: ClosedRange<UInt8> = 1...255
    /// The shortest blob there is: an empty plaintext.
    public static let overhead = 1 + AES256GCM.nonceLength + AES256GCM.tagLength

    /// A key and the id written in front of every blob it seals.
    public struct Key: Sendable, CustomStringConvertible, CustomReflectable {
        public let id: UInt8
        fileprivate let bytes: [UInt8]

        public init(id: UInt8, bytes: [UInt8]) throws(CryptoError) {
            guard SecretBox.keyIDs.contains(id) else { throw .invalidParameters("key id 0 is reserved") }
            guard bytes.count == AES256GCM.keyLength else { throw .invalidParameters("key must be 32 bytes") }
            self.id = id
            self.bytes = bytes
        }

        /// Never the key bytes, in any description or log line.
        public var description: String { "SecretBox.Key(id: \(id), ********)" }
        public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
    }

    public let current: Key
    private let keys: [UInt8: Key]

    public init(current: Key, previous: [Key] = []) throws(CryptoError) {
        var keys = [current.id: current]
        for key in previous {
            guard keys[key.id] == nil else { throw .invalidParameters("key id \(key.id) is used twice") }
            keys[key.id] = key
        }
        self.current = current
        self.keys = keys
    }

    /// A fresh blob for `plaintext` under the current key. `associatedData` is not stored;
    /// `open` must be given the same bytes (say, the owning row's id) or it fails.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        let nonce = try SecureRandom.bytes(AES256GCM.nonceLength)
        let sealed = try AES256GCM.seal(key: current.bytes, nonce: nonce, plaintext: plaintext,
                                        associatedData: SecretBox.bound(associatedData, to: current.id))
        var blob = [current.id]
        blob.reserveCapacity(SecretBox.overhead + plaintext.count)
        blob += nonce
        blob += sealed.ciphertext
        blob += sealed.tag
        return blob
    }

    /// The plaintext of a blob `seal` made, or `SecretBoxError` when it is malformed, names
    /// a key this box does not hold, or was changed in any way (bytes, key id, associated
    /// data, the key itself).
    public func open(_ blob: [UInt8], associatedData: [UInt8]) throws(SecretBoxError) -> [UInt8] {
        guard blob.count >= SecretBox.overhead, let id = blob.first, SecretBox.keyIDs.contains(id) else {
            throw .malformed
        }
        guard let key = keys[id] else { throw .unknownKey(id) }
        let nonceEnd = 1 + AES256GCM.nonceLength
        let tagStart = blob.count - AES256GCM.tagLength
        let opened: [UInt8]?
        do {
            opened = try AES256GCM.open(key: key.bytes, nonce: Array(blob[1..<nonceEnd]),
                                        ciphertext: Array(blob[nonceEnd..<tagStart]), tag: Array(blob[tagStart...]),
                                        associatedData: SecretBox.bound(associatedData, to: id))
        } catch {
            throw .libcrypto(error)
        }
        guard let opened else { throw .authenticationFailed }
        return opened
    }

    /// The key id that sealed `blob`, if it looks like a blob: what a re-sealing pass
    /// checks to find rows still under an old key.
    public static func keyID(of blob: [UInt8]) -> UInt8? {
        guard blob.count >= overhead, let id = blob.first, keyIDs.contains(id) else { return nil }
        return id
    }

    /// The caller's associated data with the key id in front, so the id byte in the clear
    /// is covered by the tag.
    private static func bound(_ associatedData: [UInt8], to keyID: UInt8) -> [UInt8] {
        [keyID] + associatedData
    }
}

/// Why a blob did not open. None of the cases carries key or plaintext bytes.
public enum SecretBoxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Too short, or the first byte is no key id.
    case malformed
    /// Sealed under a key this process was not given (rotation, or the wrong key).
    case unknownKey(UInt8)
    /// The tag does not match: wrong key, wrong associated data or changed bytes.
    case authenticationFailed
    case libcrypto(CryptoError)

    public var description: String {
        switch self {
        case .malformed: "sealed value is malformed"
        case .unknownKey(let id): "sealed value names key id \(id), which is not configured"
        case .authenticationFailed: "sealed value failed authentication (wrong key, wrong owner or tampered)"
        case .libcrypto(let error): "sealed value could not be opened: \(error)"
        }
    }
}
