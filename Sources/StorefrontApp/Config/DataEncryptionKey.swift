import Crypto
import Foundation

/// `DATA_ENCRYPTION_KEY`: the 32-byte AES-256-GCM key that seals secrets at rest (ADR 0006),
/// given as standard base64. Unset outside production, a random key lives as long as the
/// process, so what it sealed does not open after a restart (`serve` warns).
public struct DataEncryptionKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The id written in front of every blob this key seals. A second key (rotation) would
    /// get id 2 and this one would move to `SecretBox`'s `previous` keys (ADR 0006).
    static let keyID: UInt8 = 1

    let box: SecretBox
    public let wasGenerated: Bool

    init(_ text: String?) throws(ConfigurationError) {
        let bytes: [UInt8]
        if let text {
            // Foundation's decoder takes only the canonical alphabet with padding; a key
            // pasted with a stray newline or in base64url is refused rather than guessed at.
            guard let data = Data(base64Encoded: text), data.count == AES256GCM.keyLength else {
                throw ConfigurationError("DATA_ENCRYPTION_KEY", "must be 32 bytes in base64 (openssl rand -base64 32)")
            }
            bytes = Array(data)
        } else {
            do {
                bytes = try SecureRandom.bytes(AES256GCM.keyLength)
            } catch {
                throw ConfigurationError("DATA_ENCRYPTION_KEY", "is not set and no random one could be generated")
            }
        }
        do {
            box = try SecretBox(current: SecretBox.Key(id: DataEncryptionKey.keyID, bytes: bytes))
        } catch {
            throw ConfigurationError("DATA_ENCRYPTION_KEY", "is not a usable key")
        }
        wasGenerated = text == nil
    }

    public var description: String { "********" }
    public var debugDescription: String { "********" }
    /// `dump` walks children; there are none to show.
    public var customMirror: Mirror { Mirror(self, children: []) }
}
