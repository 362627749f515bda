import Crypto
import Foundation

/// Seals TOTP secrets for the `users` row they belong to (ADR 0006). The owner's id is the
/// associated data, so a sealed secret copied into another user's row does not open there.
struct TOTPSecretSealer: Sendable {
    let box: SecretBox

    func seal(_ secret: [UInt8], for userID: UUID) throws -> [UInt8] {
        try box.seal(secret, associatedData: TOTPSecretSealer.associatedData(userID))
    }

    func open(_ sealed: [UInt8], for userID: UUID) throws(SecretBoxError) -> [UInt8] {
        try box.open(sealed, associatedData: TOTPSecretSealer.associatedData(userID))
    }

    /// The purpose and version in front of the id: another kind of sealed value keyed by a
    /// user id (say, a webhook secret) cannot be passed off as a TOTP secret.
    static func associatedData(_ userID: UUID) -> [UInt8] {
        Array("storefront/totp-secret/v1/\(userID.uuidString.lowercased())".utf8)
    }
}
